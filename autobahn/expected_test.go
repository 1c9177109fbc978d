package autobahn

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExpectationsRoundTrip(t *testing.T) {
	e := Expectations{
		"1.1.10": {Behavior: BehaviorOK, BehaviorClose: BehaviorOK},
		"1.1.2":  {Behavior: BehaviorOK, BehaviorClose: BehaviorOK},
		"7.1.6":  {Behavior: BehaviorInformational, BehaviorClose: BehaviorInformational},
	}
	var b bytes.Buffer
	if _, err := e.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := `{
  "1.1.2": {"behavior":"OK","behaviorClose":"OK"},
  "1.1.10": {"behavior":"OK","behaviorClose":"OK"},
  "7.1.6": {"behavior":"INFORMATIONAL","behaviorClose":"INFORMATIONAL"}
}
`
	if b.String() != want {
		t.Errorf("written =\n%s\nwant\n%s", b.String(), want)
	}
	got, err := ParseExpectations(&b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, got); diff != "" {
		t.Errorf("parsed mismatch (-want +got):\n%s", diff)
	}

	path := filepath.Join(t.TempDir(), "expected.json")
	if err := SaveExpectations(path, e); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadExpectations(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, loaded); diff != "" {
		t.Errorf("loaded mismatch (-want +got):\n%s", diff)
	}
}

func TestExpectationsEmpty(t *testing.T) {
	var b bytes.Buffer
	if _, err := (Expectations{}).WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	got, err := ParseExpectations(&b)
	if err != nil || len(got) != 0 {
		t.Errorf("empty round trip = %v, %v", got, err)
	}
	if _, err := ParseExpectations(strings.NewReader(`["1.1.1"]`)); err == nil {
		t.Error("ParseExpectations accepted a list")
	}
	if _, err := LoadExpectations(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("LoadExpectations of a missing file succeeded")
	}
}

func TestReportExpect(t *testing.T) {
	rep, err := ReadReport(fixtureDir, "")
	if err != nil {
		t.Fatal(err)
	}
	e := rep.Expect()
	if len(e) != 5 {
		t.Fatalf("Expect has %d cases, want 5", len(e))
	}
	if o := e["7.9.1"]; o != (Outcome{Behavior: BehaviorOK, BehaviorClose: BehaviorWrongCode}) {
		t.Errorf("7.9.1 = %v", o)
	}
}

func TestDiff(t *testing.T) {
	ok := Outcome{Behavior: BehaviorOK, BehaviorClose: BehaviorOK}
	nonStrict := Outcome{Behavior: BehaviorNonStrict, BehaviorClose: BehaviorOK}
	tests := []struct {
		name      string
		want, got Expectations
		diff      []string
	}{
		{name: "same", want: Expectations{"1.1.1": ok}, got: Expectations{"1.1.1": ok}},
		{name: "both empty"},
		{
			name: "regression",
			want: Expectations{"6.4.1": ok, "1.1.1": ok},
			got:  Expectations{"6.4.1": nonStrict, "1.1.1": ok},
			diff: []string{"6.4.1: expected OK/OK, got NON-STRICT/OK"},
		},
		{
			name: "new and missing, in case order",
			want: Expectations{"1.1.10": ok, "2.1": ok},
			got:  Expectations{"2.1": ok, "1.1.2": ok},
			diff: []string{
				"1.1.2: not in the expected file, got OK/OK",
				"1.1.10: expected OK/OK, not in the run",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range Diff(tt.want, tt.got) {
				got = append(got, c.String())
			}
			if diff := cmp.Diff(tt.diff, got); diff != "" {
				t.Errorf("Diff mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExpectationsSelect(t *testing.T) {
	ok := Outcome{Behavior: BehaviorOK, BehaviorClose: BehaviorOK}
	e := Expectations{"1.1.1": ok, "9.1.1": ok, "10.1.1": ok, "12.1.1": ok}
	got := e.Select([]string{"1.*", "9.*", "12.*"}, []string{"12.*"})
	want := Expectations{"1.1.1": ok, "9.1.1": ok}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Select mismatch (-want +got):\n%s", diff)
	}
}

func TestUpdate(t *testing.T) {
	ok := Outcome{Behavior: BehaviorOK, BehaviorClose: BehaviorOK}
	failed := Outcome{Behavior: BehaviorFailed, BehaviorClose: BehaviorOK}
	old := Expectations{"1.1.1": failed, "1.1.2": ok, "9.1.1": ok}
	run := Expectations{"1.1.1": ok}
	got := Update(old, run, []string{"1.*"}, nil)
	want := Expectations{"1.1.1": ok, "9.1.1": ok} // 1.1.2 was selected but not reported: dropped
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Update mismatch (-want +got):\n%s", diff)
	}
	if old["1.1.1"] != failed {
		t.Error("Update changed its input")
	}
}
