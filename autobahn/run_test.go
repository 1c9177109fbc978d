package autobahn

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fakeWstest writes a shell script standing in for wstest and returns its path.
func fakeWstest(t *testing.T, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake wstest is a shell script")
	}
	path := filepath.Join(t.TempDir(), "wstest")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakeFuzzingClient checks that it is called as the fuzzingclient with the
// spec the harness wrote, then writes a canned two-case report.
const fakeFuzzingClient = `
[ "$*" = "-m fuzzingclient -s fuzzingclient.json" ] || { echo "bad arguments: $*"; exit 3; }
grep -q '"url": "ws://127.0.0.1:' fuzzingclient.json || { echo "spec does not target 127.0.0.1"; exit 4; }
grep -q '"agent": "websocket-server"' fuzzingclient.json || { echo "spec lacks the agent"; exit 5; }
mkdir -p reports/server
cat > reports/server/index.json <<'END'
{"websocket-server": {
  "2.10": {"behavior": "OK", "behaviorClose": "OK", "duration": 7, "remoteCloseCode": 1000, "reportfile": "c_2_10.json"},
  "2.9": {"behavior": "FAILED", "behaviorClose": "OK", "duration": 3, "remoteCloseCode": 1000, "reportfile": "c_2_9.json"}}}
END
echo '{"id": "2.10", "description": "ten pings"}' > reports/server/c_2_10.json
echo '{"id": "2.9", "description": "unsolicited pong", "expectation": "nothing back"}' > reports/server/c_2_9.json
echo fake run complete
`

func TestRunServerFakeWstest(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Engine: &Engine{Wstest: fakeWstest(t, fakeFuzzingClient)}, Dir: dir, Cases: []string{"2.*"}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := RunServer(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Agent != ServerAgent || len(rep.Results) != 2 || rep.Results[0].ID != "2.9" ||
		rep.Results[0].Expectation != "nothing back" || rep.Results[1].Description != "ten pings" {
		t.Errorf("report = %+v", rep)
	}
	if f := rep.Failures(); len(f) != 1 || f[0].ID != "2.9" {
		t.Errorf("failures = %+v", f)
	}
	log, err := os.ReadFile(filepath.Join(dir, "wstest-server.log"))
	if err != nil || !strings.Contains(string(log), "fake run complete") {
		t.Errorf("wstest-server.log = %q, %v", log, err)
	}
	var spec ServerSpec
	readJSON(t, filepath.Join(dir, serverSpecFile), &spec)
	if len(spec.Cases) != 1 || spec.Cases[0] != "2.*" {
		t.Errorf("spec cases = %v, want [2.*]", spec.Cases)
	}
}

func TestRunServerWstestFails(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Engine: &Engine{Wstest: fakeWstest(t, "echo broken; exit 3\n")}, Dir: dir}
	_, err := RunServer(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "wstest-server.log") {
		t.Errorf("RunServer with a failing wstest = %v, want an error naming the log", err)
	}
}

func TestRunClientFuzzingServerExits(t *testing.T) {
	cfg := Config{Engine: &Engine{Wstest: fakeWstest(t, "echo no server today; exit 1\n")}, Dir: t.TempDir()}
	_, err := RunClient(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "exited before listening") {
		t.Errorf("RunClient = %v, want an exited-before-listening error", err)
	}
}

func TestRunClientFuzzingServerNeverListens(t *testing.T) {
	cfg := Config{
		Engine:       &Engine{Wstest: fakeWstest(t, "exec sleep 60\n")},
		Dir:          t.TempDir(),
		StartTimeout: 500 * time.Millisecond,
	}
	start := time.Now()
	_, err := RunClient(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "not listening") {
		t.Errorf("RunClient = %v, want a not-listening error", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("RunClient took %s: the fake server was not stopped", d)
	}
}

func TestRunNeedsEngineAndDir(t *testing.T) {
	ctx := context.Background()
	if _, err := RunServer(ctx, Config{Dir: t.TempDir()}); err == nil {
		t.Error("RunServer without an engine succeeded")
	}
	if _, err := RunClient(ctx, Config{Dir: t.TempDir()}); err == nil {
		t.Error("RunClient without an engine succeeded")
	}
	if _, err := RunServer(ctx, Config{Engine: &Engine{Wstest: "/bin/true"}}); err == nil {
		t.Error("RunServer without a directory succeeded")
	}
}
