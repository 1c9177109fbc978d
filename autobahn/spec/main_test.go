package spec_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if goroutines outlive the tests: every connection,
// every peer and every echo loop must have ended.
//
// The tests run with GODEBUG=http2xconnect=1 (TestSpecHTTP2), which net/http
// reads from the environment once, at init: if it is not set, TestMain runs
// the test binary again with it (see rerunWithXConnect).
func TestMain(m *testing.M) {
	if code, ok := rerunWithXConnect(); ok {
		os.Exit(code)
	}
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		if leaked := waitGoroutines(before, 5*time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "goroutines leaked:\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// waitGoroutines waits until no more than n goroutines run, and returns the
// stacks of the extra ones if they do not end within d.
func waitGoroutines(n int, d time.Duration) string {
	deadline := time.Now().Add(d)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			var extra []string
			for _, g := range strings.Split(string(buf), "\n\n") {
				if !strings.Contains(g, "testing.(*M).Run") && !strings.Contains(g, "runtime.Stack") {
					extra = append(extra, g)
				}
			}
			return strings.Join(extra, "\n\n")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return ""
}
