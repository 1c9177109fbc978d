package autobahn

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const fixtureDir = "testdata/report"

func TestParseIndex(t *testing.T) {
	f, err := os.Open(filepath.Join(fixtureDir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	index, err := ParseIndex(f)
	if err != nil {
		t.Fatal(err)
	}
	rs, ok := index["fixture-agent"]
	if !ok || len(index) != 1 {
		t.Fatalf("agents = %v, want only fixture-agent", index)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	if got, want := strings.Join(ids, " "), "1.1.2 1.1.10 6.4.1 7.1.6 7.9.1"; got != want {
		t.Errorf("case order = %s, want %s", got, want)
	}
	if r := rs[2]; r.Behavior != BehaviorNonStrict || r.Duration != 2004*time.Millisecond || r.RemoteCloseCode != 1007 ||
		r.ReportFile != "fixture_agent_case_6_4_1.json" {
		t.Errorf("6.4.1 = %+v", r)
	}
	if r := rs[4]; r.RemoteCloseCode != 0 || r.BehaviorClose != BehaviorWrongCode {
		t.Errorf("7.9.1 (null close code) = %+v", r)
	}
}

func TestParseIndexErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
	}{
		{name: "not JSON", input: "<html>"},
		{name: "wrong shape", input: `{"agent": ["1.1.1"]}`},
		{name: "truncated", input: `{"agent": {"1.1.1": {"behavior": "OK"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseIndex(strings.NewReader(tt.input)); err == nil {
				t.Errorf("ParseIndex(%q) succeeded, want an error", tt.input)
			}
		})
	}
}

func TestReadReport(t *testing.T) {
	for _, agent := range []string{"fixture-agent", ""} {
		t.Run("agent="+agent, func(t *testing.T) {
			rep, err := ReadReport(fixtureDir, agent)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Agent != "fixture-agent" || len(rep.Results) != 5 {
				t.Fatalf("report = %s with %d results, want fixture-agent with 5", rep.Agent, len(rep.Results))
			}
			r := rep.Results[2]
			if r.ID != "6.4.1" || !strings.Contains(r.Description, "f4908080") ||
				r.Expectation != "The 2nd frame is rejected at once (fail fast on UTF-8)." ||
				r.Result != "Actual events match at least one expected." ||
				r.RemoteCloseReason != "invalid UTF-8" || !r.WasClean {
				t.Errorf("6.4.1 details = %+v", r)
			}
			if !strings.Contains(string(r.Received), `"B"`) || !strings.Contains(string(r.Expected), "NON-STRICT") {
				t.Errorf("6.4.1 events: expected %s, received %s", r.Expected, r.Received)
			}
		})
	}
}

func TestReadReportErrors(t *testing.T) {
	t.Run("unknown agent", func(t *testing.T) {
		if _, err := ReadReport(fixtureDir, "nobody"); err == nil || !strings.Contains(err.Error(), "nobody") {
			t.Errorf("err = %v, want one naming the agent", err)
		}
	})
	t.Run("no index", func(t *testing.T) {
		_, err := ReadReport(t.TempDir(), "")
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("case file for another case", func(t *testing.T) {
		dir := t.TempDir()
		index := `{"a": {"1.1.1": {"behavior": "OK", "behaviorClose": "OK", "duration": 1, "remoteCloseCode": 1000, "reportfile": "a_case_1_1_1.json"}}}`
		writeFile(t, filepath.Join(dir, "index.json"), index)
		writeFile(t, filepath.Join(dir, "a_case_1_1_1.json"), `{"id": "1.1.2"}`)
		rep, err := ReadReport(dir, "a")
		if err == nil || !strings.Contains(err.Error(), "1.1.2") {
			t.Errorf("err = %v, want a mismatch error", err)
		}
		if rep == nil || len(rep.Results) != 1 || rep.Results[0].Behavior != BehaviorOK {
			t.Errorf("report = %+v, want the index results despite the error", rep)
		}
	})
	t.Run("missing case file", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "index.json"), `{"a": {"2.1": {"behavior": "OK", "behaviorClose": "OK", "reportfile": "gone.json"}}}`)
		if _, err := ReadReport(dir, "a"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v, want fs.ErrNotExist", err)
		}
	})
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		name          string
		behavior      Behavior
		behaviorClose Behavior
		pass          bool
	}{
		{name: "ok", behavior: BehaviorOK, behaviorClose: BehaviorOK, pass: true},
		{name: "informational", behavior: BehaviorInformational, behaviorClose: BehaviorInformational, pass: true},
		{name: "informational close ok", behavior: BehaviorInformational, behaviorClose: BehaviorOK, pass: true},
		{name: "non-strict", behavior: BehaviorNonStrict, behaviorClose: BehaviorOK},
		{name: "unclean", behavior: BehaviorOK, behaviorClose: BehaviorUnclean},
		{name: "failed", behavior: BehaviorFailed, behaviorClose: BehaviorOK},
		{name: "wrong code", behavior: BehaviorOK, behaviorClose: BehaviorWrongCode},
		{name: "unimplemented", behavior: BehaviorUnimplemented, behaviorClose: BehaviorUnimplemented},
		{name: "failed by client", behavior: BehaviorOK, behaviorClose: BehaviorFailedByClient},
		{name: "unknown", behavior: "MAYBE", behaviorClose: BehaviorOK},
		{name: "empty", behavior: "", behaviorClose: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Result{Behavior: tt.behavior, BehaviorClose: tt.behaviorClose}
			if got := r.Passed(); got != tt.pass {
				t.Errorf("Passed(%s/%s) = %v, want %v", tt.behavior, tt.behaviorClose, got, tt.pass)
			}
		})
	}
}

func TestReportFailuresCountsSlowest(t *testing.T) {
	rep, err := ReadReport(fixtureDir, "")
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, r := range rep.Failures() {
		failed = append(failed, r.ID)
	}
	if got := strings.Join(failed, " "); got != "6.4.1 7.9.1" {
		t.Errorf("failures = %s, want 6.4.1 7.9.1", got)
	}
	counts := rep.Counts()
	if counts[BehaviorOK] != 3 || counts[BehaviorNonStrict] != 1 || counts[BehaviorInformational] != 1 || len(counts) != 3 {
		t.Errorf("counts = %v", counts)
	}
	slow := rep.Slowest(2)
	if len(slow) != 2 || slow[0].ID != "6.4.1" || slow[1].ID != "7.1.6" {
		t.Errorf("slowest = %v", slow)
	}
	if n := len(rep.Slowest(100)); n != 5 {
		t.Errorf("Slowest(100) returned %d results, want 5", n)
	}
	if n := len(rep.Slowest(-1)); n != 0 {
		t.Errorf("Slowest(-1) returned %d results, want 0", n)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
