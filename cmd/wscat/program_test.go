package main

// The tests in this file and in client_test.go and server_test.go run wscat
// as a program: TestMain builds it (and cmd/wsecho) once, and each test
// starts it with arguments and stdin, and reads its stdout, stderr and exit
// status.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/handshake"
)

var wscatBin, wsechoBin string

// buildFlags are given to go build (race_test.go adds -race).
var buildFlags []string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wscat-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wscatBin, wsechoBin = filepath.Join(dir, "wscat"), filepath.Join(dir, "wsecho")
	// One go build links both programs at once.
	if out, err := exec.Command("go", slices.Concat([]string{"build"}, buildFlags, []string{"-o", dir + string(filepath.Separator), ".", "../wsecho"})...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	before := runtime.NumGoroutine()
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		// The in-test servers and clients have ended every goroutine.
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			fmt.Fprintf(os.Stderr, "%d goroutines outlived the tests (%d before):\n%s\n", n, before, buf[:runtime.Stack(buf, true)])
			code = 1
		}
	}
	os.Exit(code)
}

// result is what a run of wscat left.
type result struct {
	stdout, stderr string
	code           int
}

// runWscat runs wscat to the end with stdin and returns what it wrote.
func runWscat(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, wscatBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("wscat %q: %v", args, err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// proc is wscat running, fed line by line, as a person or a script would.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout <-chan string // lines
	stderr <-chan string
	exited chan struct{}
	code   int
}

func start(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(wscatBin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Not cmd.StdoutPipe: Wait closes those as soon as the process exits,
	// and its last lines could be lost. Wait copies into these to the end.
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	cmd.Stdout, cmd.Stderr = outW, errW
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, stdin: stdin, stdout: lines(outR), stderr: lines(errR), exited: make(chan struct{})}
	go func() {
		defer close(p.exited)
		err := cmd.Wait()
		outW.Close()
		errW.Close()
		if err != nil {
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				p.code = exit.ExitCode()
			} else {
				p.code = -1
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// lines reads r line by line into a channel that is closed at its end.
func lines(r io.Reader) <-chan string {
	ch := make(chan string, 100)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}

// send writes one line to wscat's stdin.
func (p *proc) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		p.t.Fatalf("writing %q to wscat: %v", line, err)
	}
}

// next returns the next line of ch (stdout or stderr).
func (p *proc) next(ch <-chan string) string {
	p.t.Helper()
	select {
	case line, ok := <-ch:
		if !ok {
			p.t.Fatal("wscat closed its output")
		}
		return line
	case <-time.After(5 * time.Second):
		p.t.Fatal("no line from wscat within 5 s")
	}
	return ""
}

// await skips lines of ch until one matches re, and returns its submatches.
func (p *proc) await(ch <-chan string, re string) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	var seen []string
	for {
		select {
		case line, ok := <-ch:
			if !ok {
				p.t.Fatalf("wscat ended its output without a line matching %q; saw %q", re, seen)
			}
			if m := rx.FindStringSubmatch(line); m != nil {
				return m
			}
			seen = append(seen, line)
		case <-time.After(5 * time.Second):
			p.t.Fatalf("no line matching %q within 5 s; saw %q", re, seen)
		}
	}
}

// wait returns wscat's exit status.
func (p *proc) wait() int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.code
	case <-time.After(10 * time.Second):
		p.t.Fatal("wscat did not exit within 10 s")
	}
	return 0
}

// rest returns what is left of ch once wscat has exited.
func rest(ch <-chan string) []string {
	var out []string
	for line := range ch {
		out = append(out, line)
	}
	return out
}

// testServer serves the library's own server side for wscat to talk to.
// closes receives the close code of every client of /record.
func testServer(t *testing.T) (srv *httptest.Server, closes <-chan conn.StatusCode) {
	t.Helper()
	codes := make(chan conn.StatusCode, 10)
	ctx := context.Background()
	mux := http.NewServeMux()
	websocket := func(opts *conn.AcceptOptions, talk func(ws *conn.Conn, r *http.Request)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			ws, err := conn.Accept(w, r, opts)
			if err != nil {
				return
			}
			defer ws.CloseNow()
			talk(ws, r)
		}
	}
	mux.HandleFunc("/echo", websocket(&conn.AcceptOptions{Compression: &conn.Compression{}}, func(ws *conn.Conn, _ *http.Request) {
		for {
			msg, err := ws.Receive(ctx)
			if err != nil || ws.Send(ctx, msg.Type, msg.Data) != nil {
				return
			}
		}
	}))
	mux.HandleFunc("/hello", websocket(nil, func(ws *conn.Conn, _ *http.Request) {
		ws.SendText(ctx, "hello")
		ws.Close(conn.StatusNormalClosure, "goodbye")
	}))
	mux.HandleFunc("/binary", websocket(nil, func(ws *conn.Conn, _ *http.Request) {
		ws.SendBinary(ctx, []byte{0, 0xff, 'h', 'i'})
		ws.Close(conn.StatusNormalClosure, "")
	}))
	mux.HandleFunc("/close4001", websocket(nil, func(ws *conn.Conn, _ *http.Request) {
		ws.Receive(ctx)
		ws.Close(4001, "nope")
	}))
	mux.HandleFunc("/headers", websocket(&conn.AcceptOptions{Subprotocols: []string{"chat"}, InsecureSkipOriginCheck: true},
		func(ws *conn.Conn, r *http.Request) {
			ws.SendText(ctx, fmt.Sprintf("subprotocol=%s x-test=%s origin=%s", ws.Subprotocol(), r.Header.Get("X-Test"), r.Header.Get("Origin")))
			ws.Receive(ctx) // until the client closes
		}))
	mux.HandleFunc("/record", websocket(nil, func(ws *conn.Conn, _ *http.Request) {
		ws.SendText(ctx, "ready")
		_, err := ws.Receive(ctx)
		var ce *conn.CloseError
		if errors.As(err, &ce) {
			codes <- ce.Code
		} else {
			codes <- 0
		}
	}))
	mux.HandleFunc("/refuse", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no entry here", http.StatusForbidden)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		res, err := handshake.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer res.Conn.Close()
		res.Conn.Write([]byte{0x83, 0x00}) // a frame with the reserved opcode 3 (RFC 6455 §5.2)
		io.Copy(io.Discard, res.Conn)
	})
	mux.HandleFunc("/deaf", func(w http.ResponseWriter, r *http.Request) {
		res, err := handshake.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer res.Conn.Close()
		io.Copy(io.Discard, res.Conn) // answers no ping and no close frame
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, codes
}

// wsURL is the ws:// URL of path on srv.
func wsURL(srv *httptest.Server, path string) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + path
}

// startWsecho runs cmd/wsecho on a free port and returns its address.
func startWsecho(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(wsechoBin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	stderr := lines(errPipe)
	rx := regexp.MustCompile(`listening on (\S+)`)
	for {
		select {
		case line, ok := <-stderr:
			if !ok {
				t.Fatal("wsecho ended without listening")
			}
			if m := rx.FindStringSubmatch(line); m != nil {
				go func() {
					for range stderr {
					}
				}()
				return m[1]
			}
		case <-time.After(10 * time.Second):
			t.Fatal("wsecho did not listen within 10 s")
		}
	}
}
