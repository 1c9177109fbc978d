package spec

import "strings"

// Failure reports a case the endpoint did not pass: what the case expected
// and what actually arrived, h2spec style, with the transcript of the run.
type Failure struct {
	ID          string
	Description string
	Requirement string
	Step        string // where in the case the mismatch showed, e.g. "step 3 (...)"
	Expected    string
	Actual      string
	Transcript  []string // what the peer sent (->) and received (<-), with times
}

// Error returns a multi-line report:
//
//	5.15: Send text Message fragmented into 2 fragments, ...
//	  requirement: RFC 6455 §5.4: "..."
//	  at: after the steps
//	    expected: close frame with 1002
//	      actual: text message of 9 bytes "fragment4"
//	  transcript:
//	    ...
func (f *Failure) Error() string {
	var b strings.Builder
	b.WriteString(f.ID + ": " + f.Description + "\n")
	b.WriteString("  requirement: " + f.Requirement + "\n")
	b.WriteString("  at: " + f.Step + "\n")
	b.WriteString("    expected: " + f.Expected + "\n")
	b.WriteString("      actual: " + f.Actual + "\n")
	b.WriteString("  transcript:\n")
	for _, l := range f.Transcript {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}
