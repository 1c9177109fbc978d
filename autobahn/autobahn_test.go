package autobahn

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/seed865a0254/websocket/conn"
)

// TestAutobahn runs the real Autobahn testsuite against our server and our
// client. It runs only when AUTOBAHN=1; then, with neither Docker nor a wstest
// command, it skips. Other settings:
//
//	AUTOBAHN_WSTEST=/path/to/wstest  use this wstest instead of Docker
//	AUTOBAHN_CASES=1.*,2.*           run these cases (default: DefaultCases)
//	AUTOBAHN_OUT=dir                 keep spec files, logs and reports in dir
//	AUTOBAHN_UPDATE=1                rewrite testdata/expected-*.json from the run
//
// Section 9 moves hundreds of megabytes: give the run time, e.g.
// AUTOBAHN=1 go test -run TestAutobahn -timeout 60m ./autobahn/
func TestAutobahn(t *testing.T) {
	if os.Getenv("AUTOBAHN") != "1" {
		t.Skip("the Autobahn testsuite runs only with AUTOBAHN=1 (it needs Docker or a wstest command named by AUTOBAHN_WSTEST)")
	}
	ctx := t.Context()
	engine, err := FindEngine(ctx, "")
	if errors.Is(err, ErrNoTestsuite) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("running the testsuite with the %s", engine)
	var cases []string
	if c := os.Getenv("AUTOBAHN_CASES"); c != "" {
		cases = strings.Split(c, ",")
	}
	dir := os.Getenv("AUTOBAHN_OUT")
	if dir == "" {
		dir = t.TempDir()
	}
	cfg := Config{Engine: engine, Dir: dir, Cases: cases, Compression: &conn.Compression{}}

	sides := []struct {
		name     string
		run      func(context.Context, Config) (*Report, error)
		title    string
		expected string
	}{
		{name: "server", run: RunServer, title: "fuzzingclient against our server", expected: "testdata/expected-server.json"},
		{name: "client", run: RunClient, title: "fuzzingserver against our client", expected: "testdata/expected-client.json"},
	}
	for _, side := range sides {
		t.Run(side.name, func(t *testing.T) {
			rep, err := side.run(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			var summary strings.Builder
			if err := rep.Summary(&summary, side.title, 5); err != nil {
				t.Fatal(err)
			}
			t.Log("\n" + summary.String())
			for _, r := range rep.Failures() {
				t.Errorf("case %s: %s/%s: %s %s", r.ID, r.Behavior, r.BehaviorClose, r.Result, r.ResultClose)
			}
			checkExpectations(t, side.expected, rep, orDefault(cases, DefaultCases), DefaultExclude)
		})
	}
	t.Logf("spec files, logs and reports are in %s", dir)
}

// checkExpectations diffs the run against the committed expectations, or
// rewrites them when AUTOBAHN_UPDATE=1.
func checkExpectations(t *testing.T, path string, rep *Report, cases, exclude []string) {
	t.Helper()
	old, err := LoadExpectations(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if os.Getenv("AUTOBAHN_UPDATE") == "1" {
		if err := SaveExpectations(path, Update(old, rep.Expect(), cases, exclude)); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", path)
		return
	}
	if old == nil {
		t.Errorf("no expectations file %s: run with AUTOBAHN_UPDATE=1 to create it", path)
		return
	}
	for _, c := range Diff(old.Select(cases, exclude), rep.Expect()) {
		t.Errorf("differs from %s: %s", path, c)
	}
}
