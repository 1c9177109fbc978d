package autobahn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
)

// Outcome is what a committed expectations file records for one case: its
// two behaviours, no durations (they vary from run to run).
type Outcome struct {
	Behavior      Behavior `json:"behavior"`
	BehaviorClose Behavior `json:"behaviorClose"`
}

func (o Outcome) String() string {
	return fmt.Sprintf("%s/%s", o.Behavior, o.BehaviorClose)
}

// Expectations maps case numbers to the outcome a run should produce. The
// committed files autobahn/testdata/expected-server.json and
// expected-client.json hold one each for the server and the client testee.
type Expectations map[string]Outcome

// Expect returns the outcomes of rep's cases.
func (rep *Report) Expect() Expectations {
	e := make(Expectations, len(rep.Results))
	for _, r := range rep.Results {
		e[r.ID] = Outcome{Behavior: r.Behavior, BehaviorClose: r.BehaviorClose}
	}
	return e
}

// Select returns the expectations whose case numbers are selected by the
// include and exclude patterns (see Selected), so that a run of some
// sections is compared with the matching part of a full file.
func (e Expectations) Select(include, exclude []string) Expectations {
	out := make(Expectations)
	for id, o := range e {
		if Selected(id, include, exclude) {
			out[id] = o
		}
	}
	return out
}

// ids returns the case numbers of e in case order.
func (e Expectations) ids() []string {
	ids := make([]string, 0, len(e))
	for id := range e {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, CompareCaseIDs)
	return ids
}

// WriteTo writes e as JSON, one case per line in case order, so that a
// change in a committed file reads as a line diff.
func (e Expectations) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	b.WriteString("{\n")
	ids := e.ids()
	for i, id := range ids {
		key, _ := json.Marshal(id)
		val, err := json.Marshal(e[id])
		if err != nil {
			return 0, fmt.Errorf("autobahn: encode expectations: %w", err)
		}
		b.WriteString("  ")
		b.Write(key)
		b.WriteString(": ")
		b.Write(val)
		if i < len(ids)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return b.WriteTo(w)
}

// ParseExpectations reads an expectations file written by WriteTo.
func ParseExpectations(r io.Reader) (Expectations, error) {
	var e Expectations
	if err := json.NewDecoder(r).Decode(&e); err != nil {
		return nil, fmt.Errorf("autobahn: parse expectations: %w", err)
	}
	return e, nil
}

// LoadExpectations reads the expectations file at path.
func LoadExpectations(path string) (Expectations, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("autobahn: load expectations: %w", err)
	}
	defer f.Close()
	return ParseExpectations(f)
}

// SaveExpectations writes e to the file at path, replacing it.
func SaveExpectations(path string, e Expectations) error {
	var b bytes.Buffer
	if _, err := e.WriteTo(&b); err != nil {
		return err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("autobahn: save expectations: %w", err)
	}
	return nil
}

// Change is one difference between expected and observed outcomes. Want is
// nil for a case the expectations do not know; Got is nil for an expected
// case the run did not report.
type Change struct {
	ID   string
	Want *Outcome
	Got  *Outcome
}

func (c Change) String() string {
	switch {
	case c.Want == nil:
		return fmt.Sprintf("%s: not in the expected file, got %s", c.ID, c.Got)
	case c.Got == nil:
		return fmt.Sprintf("%s: expected %s, not in the run", c.ID, c.Want)
	default:
		return fmt.Sprintf("%s: expected %s, got %s", c.ID, c.Want, c.Got)
	}
}

// Diff compares an observed run with the expectations and returns every
// case whose outcome differs, in case order. Select the expectations first
// when only some sections ran.
func Diff(want, got Expectations) []Change {
	all := make(Expectations, len(want)+len(got))
	for id, o := range want {
		all[id] = o
	}
	for id, o := range got {
		all[id] = o
	}
	var changes []Change
	for _, id := range all.ids() {
		w, inWant := want[id]
		g, inGot := got[id]
		switch {
		case inWant && inGot && w == g:
			continue
		case !inWant:
			changes = append(changes, Change{ID: id, Got: &g})
		case !inGot:
			changes = append(changes, Change{ID: id, Want: &w})
		default:
			changes = append(changes, Change{ID: id, Want: &w, Got: &g})
		}
	}
	return changes
}

// Update returns old with the cases selected by include and exclude replaced
// by the outcomes of a run of those cases: expectations of other sections
// stay, selected cases the run did not report are dropped. It is how a
// committed file is refreshed from a run of some sections.
func Update(old, run Expectations, include, exclude []string) Expectations {
	out := make(Expectations, len(old)+len(run))
	for id, o := range old {
		if !Selected(id, include, exclude) {
			out[id] = o
		}
	}
	for id, o := range run {
		out[id] = o
	}
	return out
}
