package autobahn

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// behaviorOrder is the order in which Summary lists the counts.
var behaviorOrder = []Behavior{
	BehaviorOK, BehaviorInformational, BehaviorNonStrict, BehaviorUnclean,
	BehaviorWrongCode, BehaviorFailed, BehaviorFailedByClient, BehaviorUnimplemented,
}

// maxEventsText bounds how much of the raw expected and received event lists
// Summary prints for one failing case: section 9 cases echo megabytes.
const maxEventsText = 400

// CountsLine returns the case count and the count of each behaviour, e.g.
// "301 cases: 298 OK, 3 INFORMATIONAL".
func (rep *Report) CountsLine() string {
	counts := rep.Counts()
	var parts []string
	for _, b := range behaviorOrder {
		if n := counts[b]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, b))
			delete(counts, b)
		}
	}
	var other []Behavior
	for b := range counts {
		other = append(other, b)
	}
	slices.Sort(other)
	for _, b := range other {
		parts = append(parts, fmt.Sprintf("%d %s", counts[b], cmp.Or(b, "(none)")))
	}
	s := fmt.Sprintf("%d cases", len(rep.Results))
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s
}

// Summary writes a readable account of the run: the counts by behaviour,
// then every failing case in case order with its description, expectation
// and what was observed, then the slowest cases.
func (rep *Report) Summary(w io.Writer, title string, slowest int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (agent %q): %s\n", title, rep.Agent, rep.CountsLine())
	failed := rep.Failures()
	if len(failed) == 0 {
		b.WriteString("every case passed (OK or INFORMATIONAL)\n")
	} else {
		fmt.Fprintf(&b, "%d failing cases:\n", len(failed))
	}
	for _, r := range failed {
		fmt.Fprintf(&b, "\nFAIL %s  behavior=%s close=%s remoteCloseCode=%s duration=%s\n",
			r.ID, r.Behavior, r.BehaviorClose, closeCodeText(r.RemoteCloseCode), r.Duration)
		field(&b, "description", r.Description)
		field(&b, "expectation", r.Expectation)
		field(&b, "result", r.Result)
		field(&b, "close", r.ResultClose)
		if r.RemoteCloseReason != "" {
			field(&b, "close reason", r.RemoteCloseReason)
		}
		field(&b, "expected", clip(compact(r.Expected), maxEventsText))
		field(&b, "received", clip(compact(r.Received), maxEventsText))
	}
	if slowest > 0 && len(rep.Results) > 0 {
		fmt.Fprintf(&b, "\nslowest cases:\n")
		for _, r := range rep.Slowest(slowest) {
			fmt.Fprintf(&b, "  %-10s %8s  %s\n", r.ID, r.Duration.Round(time.Millisecond), r.Behavior)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func closeCodeText(code int) string {
	if code == 0 {
		return "none"
	}
	return fmt.Sprint(code)
}

// field writes one labelled, indented field; the testsuite's descriptions
// carry HTML line breaks, which are turned into plain ones.
func field(b *strings.Builder, label, text string) {
	if text == "" {
		return
	}
	text = strings.ReplaceAll(text, "<br>", "\n")
	lines := strings.Split(strings.TrimSpace(text), "\n")
	fmt.Fprintf(b, "    %-12s %s\n", label+":", strings.TrimSpace(lines[0]))
	for _, l := range lines[1:] {
		if l = strings.TrimSpace(l); l != "" {
			fmt.Fprintf(b, "    %-12s %s\n", "", l)
		}
	}
}

// compact returns raw JSON on one line.
func compact(raw []byte) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// clip shortens s to at most n bytes, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s ... (%d bytes)", s[:n], len(s))
}
