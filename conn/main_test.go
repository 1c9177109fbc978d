package conn_test

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain runs the tests, then checks that every goroutine the tests caused
// (connections, their readers, writers, ping loops, test servers) has ended:
// DESIGN.md, "Every goroutine the connection starts ends when it closes".
//
// The tests run with GODEBUG=http2xconnect=1, which net/http reads from the
// environment once, at init: if it is not set, TestMain runs the test binary
// again with it (see rerunWithXConnect).
func TestMain(m *testing.M) {
	if code, ok := rerunWithXConnect(); ok {
		os.Exit(code)
	}
	before := goroutineIDs()
	code := m.Run()
	if code == 0 {
		if leaked := waitForLeaks(before, 2*time.Second); len(leaked) > 0 {
			fmt.Fprintf(os.Stderr, "conn_test: %d goroutine(s) outlived the tests:\n\n%s\n",
				len(leaked), strings.Join(leaked, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// waitForLeaks polls the goroutine dump for up to limit and returns the stacks
// of goroutines that did not exist before the tests and are still running.
// Goroutines that end a little after their connection (a socket closed by
// the kernel, a timer firing) get the grace period.
func waitForLeaks(before map[string]bool, limit time.Duration) []string {
	deadline := time.Now().Add(limit)
	for {
		leaked := newGoroutines(before)
		if len(leaked) == 0 || time.Now().After(deadline) {
			return leaked
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// benign are frames of goroutines that belong to the runtime or the testing
// package, not to anything a test started.
var benign = []string{
	"testing.(*M).",
	"testing.tRunner",
	"testing.runTests",
	"testing.runExample",
	"os/signal.signal_recv",
	"os/signal.loop",
	"runtime.ensureSigM",
	"runtime.goexit0",
	"waitForLeaks",
	"goroutineIDs",
	"newGoroutines",
}

func newGoroutines(before map[string]bool) []string {
	var leaked []string
	for _, g := range goroutineStacks() {
		id := goroutineID(g)
		if before[id] || isBenign(g) {
			continue
		}
		leaked = append(leaked, g)
	}
	return leaked
}

func isBenign(stack string) bool {
	for _, b := range benign {
		if strings.Contains(stack, b) {
			return true
		}
	}
	return false
}

func goroutineIDs() map[string]bool {
	ids := make(map[string]bool)
	for _, g := range goroutineStacks() {
		ids[goroutineID(g)] = true
	}
	return ids
}

// goroutineStacks returns one stack per goroutine, the caller's included.
func goroutineStacks() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var stacks []string
	for g := range bytes.SplitSeq(buf, []byte("\n\n")) {
		if s := strings.TrimSpace(string(g)); s != "" {
			stacks = append(stacks, s)
		}
	}
	return stacks
}

// goroutineID returns "goroutine N" from the first line of a stack.
func goroutineID(stack string) string {
	first, _, _ := strings.Cut(stack, "\n")
	id, _, _ := strings.Cut(first, " [")
	return id
}
