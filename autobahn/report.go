package autobahn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"
)

// Behavior is the testsuite's judgement of one aspect of a case, as it
// appears in the reports: "OK", "NON-STRICT", "FAILED", ...
type Behavior string

// The behaviours the testsuite reports.
const (
	BehaviorOK             Behavior = "OK"
	BehaviorInformational  Behavior = "INFORMATIONAL"
	BehaviorNonStrict      Behavior = "NON-STRICT"
	BehaviorUnclean        Behavior = "UNCLEAN"
	BehaviorFailed         Behavior = "FAILED"
	BehaviorWrongCode      Behavior = "WRONG CODE"
	BehaviorUnimplemented  Behavior = "UNIMPLEMENTED"
	BehaviorFailedByClient Behavior = "FAILED BY CLIENT"
)

// Passes reports whether b counts as a pass: only OK and INFORMATIONAL do.
// NON-STRICT, UNCLEAN, FAILED, WRONG CODE, UNIMPLEMENTED, FAILED BY CLIENT
// and anything unknown fail.
func (b Behavior) Passes() bool {
	return b == BehaviorOK || b == BehaviorInformational
}

// Result is the outcome of one case, merged from index.json and the case's
// own report file.
type Result struct {
	ID                string        // case number, e.g. "6.4.1"
	Behavior          Behavior      // judgement of the exchanged messages
	BehaviorClose     Behavior      // judgement of the closing handshake
	Duration          time.Duration // as measured by the testsuite, in milliseconds
	RemoteCloseCode   int           // close code the testee sent; 0 when it sent none
	RemoteCloseReason string        // close reason the testee sent
	Description       string        // what the case does
	Expectation       string        // what the case expects of the testee
	Result            string        // the testsuite's comment on Behavior
	ResultClose       string        // the testsuite's comment on BehaviorClose
	WasClean          bool          // the closing handshake completed
	// Expected and Received are the raw event lists (JSON) the testsuite
	// compared: the outcomes it accepts, keyed by behaviour, and what it got.
	Expected json.RawMessage
	Received json.RawMessage
	// ReportFile is the name of the case's report file, relative to the
	// report directory.
	ReportFile string
}

// Passed reports whether the case passed: both its Behavior and its
// BehaviorClose are OK or INFORMATIONAL.
func (r Result) Passed() bool {
	return r.Behavior.Passes() && r.BehaviorClose.Passes()
}

// Report is the outcome of one run of the testsuite for one testee.
type Report struct {
	Agent   string   // testee name in the reports
	Results []Result // sorted by case number
}

// Failures returns the results that did not pass, in case order.
func (rep *Report) Failures() []Result {
	var failed []Result
	for _, r := range rep.Results {
		if !r.Passed() {
			failed = append(failed, r)
		}
	}
	return failed
}

// Counts returns how many cases have each Behavior.
func (rep *Report) Counts() map[Behavior]int {
	counts := make(map[Behavior]int)
	for _, r := range rep.Results {
		counts[r.Behavior]++
	}
	return counts
}

// Slowest returns the n cases with the longest durations, longest first
// (ties in case order).
func (rep *Report) Slowest(n int) []Result {
	rs := slices.Clone(rep.Results)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Duration > rs[j].Duration })
	if n < len(rs) {
		rs = rs[:max(n, 0)]
	}
	return rs
}

// indexEntry is one case in index.json.
type indexEntry struct {
	Behavior        Behavior `json:"behavior"`
	BehaviorClose   Behavior `json:"behaviorClose"`
	Duration        int64    `json:"duration"`
	RemoteCloseCode *int     `json:"remoteCloseCode"`
	ReportFile      string   `json:"reportfile"`
}

// caseReport is the part of a per-case report file the harness reads.
type caseReport struct {
	ID                string          `json:"id"`
	Behavior          Behavior        `json:"behavior"`
	BehaviorClose     Behavior        `json:"behaviorClose"`
	Duration          int64           `json:"duration"`
	Description       string          `json:"description"`
	Expectation       string          `json:"expectation"`
	Result            string          `json:"result"`
	ResultClose       string          `json:"resultClose"`
	RemoteCloseCode   *int            `json:"remoteCloseCode"`
	RemoteCloseReason *string         `json:"remoteCloseReason"`
	WasClean          bool            `json:"wasClean"`
	Expected          json.RawMessage `json:"expected"`
	Received          json.RawMessage `json:"received"`
}

// ParseIndex parses a testsuite index.json: for every agent, the cases it ran
// with their behaviours, durations and report file names. Description,
// expectation and the other details are only in the per-case files (see
// ReadReport).
func ParseIndex(r io.Reader) (map[string][]Result, error) {
	var index map[string]map[string]indexEntry
	if err := json.NewDecoder(r).Decode(&index); err != nil {
		return nil, fmt.Errorf("autobahn: parse index: %w", err)
	}
	out := make(map[string][]Result, len(index))
	for agent, cases := range index {
		rs := make([]Result, 0, len(cases))
		for id, e := range cases {
			r := Result{
				ID:            id,
				Behavior:      e.Behavior,
				BehaviorClose: e.BehaviorClose,
				Duration:      time.Duration(e.Duration) * time.Millisecond,
				ReportFile:    e.ReportFile,
			}
			if e.RemoteCloseCode != nil {
				r.RemoteCloseCode = *e.RemoteCloseCode
			}
			rs = append(rs, r)
		}
		SortResults(rs)
		out[agent] = rs
	}
	return out, nil
}

// ParseCase parses one per-case report file and merges its details into r.
// The index and the case file must agree on the case id.
func ParseCase(rd io.Reader, r *Result) error {
	var c caseReport
	if err := json.NewDecoder(rd).Decode(&c); err != nil {
		return fmt.Errorf("autobahn: parse case %s: %w", r.ID, err)
	}
	if c.ID != r.ID {
		return fmt.Errorf("autobahn: case file for %s reports case %q", r.ID, c.ID)
	}
	r.Description = c.Description
	r.Expectation = c.Expectation
	r.Result = c.Result
	r.ResultClose = c.ResultClose
	r.WasClean = c.WasClean
	r.Expected = c.Expected
	r.Received = c.Received
	if c.RemoteCloseReason != nil {
		r.RemoteCloseReason = *c.RemoteCloseReason
	}
	if c.RemoteCloseCode != nil {
		r.RemoteCloseCode = *c.RemoteCloseCode
	}
	return nil
}

// ReadReport reads the reports the testsuite wrote in dir (index.json and the
// per-case files it names) for agent. An empty agent selects the only agent
// in the index. A case file that is missing or unreadable adds to the error
// but does not stop the others: the report then comes back with the error,
// holding at least what index.json says.
func ReadReport(dir, agent string) (*Report, error) {
	f, err := os.Open(filepath.Join(dir, "index.json"))
	if err != nil {
		return nil, fmt.Errorf("autobahn: read report: %w", err)
	}
	index, err := ParseIndex(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	if agent == "" {
		if len(index) != 1 {
			return nil, fmt.Errorf("autobahn: read report: index has %d agents, name one", len(index))
		}
		for a := range index {
			agent = a
		}
	}
	results, ok := index[agent]
	if !ok {
		return nil, fmt.Errorf("autobahn: read report: agent %q not in %s", agent, filepath.Join(dir, "index.json"))
	}
	var errs []error
	for i := range results {
		r := &results[i]
		if r.ReportFile == "" {
			errs = append(errs, fmt.Errorf("autobahn: case %s has no report file", r.ID))
			continue
		}
		cf, err := os.Open(filepath.Join(dir, filepath.Base(r.ReportFile)))
		if err != nil {
			errs = append(errs, fmt.Errorf("autobahn: read case %s: %w", r.ID, err))
			continue
		}
		err = ParseCase(cf, r)
		cf.Close()
		if err != nil {
			errs = append(errs, err)
		}
	}
	return &Report{Agent: agent, Results: results}, errors.Join(errs...)
}
