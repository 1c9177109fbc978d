package autobahn

import (
	"strings"
	"testing"
)

func TestSummary(t *testing.T) {
	rep, err := ReadReport(fixtureDir, "")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := rep.Summary(&b, "fixture run", 2); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, want := range []string{
		`fixture run (agent "fixture-agent"): 5 cases: 3 OK, 1 INFORMATIONAL, 1 NON-STRICT`,
		"2 failing cases:",
		"FAIL 6.4.1  behavior=NON-STRICT close=OK remoteCloseCode=1007 duration=2.004s",
		"description: Fixture: a text message in 3 frames whose 2nd frame makes the UTF-8 invalid.",
		"PART2 = b'f4908080'",
		"expectation: The 2nd frame is rejected at once (fail fast on UTF-8).",
		"result:      Actual events match at least one expected.",
		"close reason: invalid UTF-8",
		`received:    [["timeout","A"],["timeout","B"]]`,
		"FAIL 7.9.1  behavior=OK close=WRONG CODE remoteCloseCode=none",
		"close:       The close code should have been 1002 or empty",
		"slowest cases:",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "FAIL 1.1") || strings.Contains(s, "FAIL 7.1.6") || strings.Contains(s, "<br>") {
		t.Errorf("summary lists a passing case or raw HTML:\n%s", s)
	}
	if i, j := strings.Index(s, "FAIL 6.4.1"), strings.Index(s, "FAIL 7.9.1"); i < 0 || j < i {
		t.Errorf("failing cases out of order:\n%s", s)
	}
	slow := s[strings.Index(s, "slowest cases:"):]
	if i, j := strings.Index(slow, "6.4.1"), strings.Index(slow, "7.1.6"); i < 0 || j < i || strings.Contains(slow, "1.1.2") {
		t.Errorf("slowest list wrong:\n%s", slow)
	}
}

func TestSummaryAllPass(t *testing.T) {
	rep := &Report{Agent: "a", Results: []Result{
		{ID: "1.1.1", Behavior: BehaviorOK, BehaviorClose: BehaviorOK},
		{ID: "7.1.6", Behavior: BehaviorInformational, BehaviorClose: BehaviorOK},
	}}
	var b strings.Builder
	if err := rep.Summary(&b, "run", 0); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if !strings.Contains(s, "2 cases: 1 OK, 1 INFORMATIONAL") || !strings.Contains(s, "every case passed") ||
		strings.Contains(s, "FAIL") || strings.Contains(s, "slowest") {
		t.Errorf("summary:\n%s", s)
	}
}

func TestCountsLineUnknownBehavior(t *testing.T) {
	rep := &Report{Results: []Result{{ID: "1", Behavior: "ODD"}, {ID: "2", Behavior: BehaviorOK}, {ID: "3"}}}
	if got, want := rep.CountsLine(), "3 cases: 1 OK, 1 (none), 1 ODD"; got != want {
		t.Errorf("CountsLine = %q, want %q", got, want)
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("x", 1000)
	got := clip(long, 10)
	if got != "xxxxxxxxxx ... (1000 bytes)" {
		t.Errorf("clip = %q", got)
	}
	if clip("short", 10) != "short" {
		t.Error("clip changed a short string")
	}
}
