package main

import (
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed865a0254/websocket/conn"
)

// Scripted use: stdin lines become messages, stdout holds the messages
// received and nothing else, stderr is empty, and the exit status is 0 after
// a normal close.
func TestScripted(t *testing.T) {
	srv, _ := testServer(t)
	echo := startWsecho(t, "-compress")
	long := strings.Repeat("compressible ", 200)
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{name: "lines, until N replies", stdin: "hello\nworld\n", args: []string{"-n", "2", wsURL(srv, "/echo")}, want: "hello\nworld\n"},
		{name: "until the server closes", args: []string{wsURL(srv, "/hello")}, want: "hello\n"},
		{name: "binary shown in hex", args: []string{wsURL(srv, "/binary")}, want: "00ff6869\n"},
		{name: "binary shown in base64", args: []string{"-b64", wsURL(srv, "/binary")}, want: "AP9oaQ==\n"},
		{name: "headers, subprotocols, origin", args: []string{"-H", "X-Test: 42", "-s", "other,chat", "-o", "http://example.com", "-n", "1", wsURL(srv, "/headers")},
			want: "subprotocol=chat x-test=42 origin=http://example.com\n"},
		{name: "wsecho: -x messages, no stdin", stdin: "not read\n", args: []string{"-x", "one", "-x", "two", "-n", "2", "ws://" + echo}, want: "one\ntwo\n"},
		{name: "wsecho: lines as binary", stdin: "00ff\n6869\n", args: []string{"-b", "-n", "2", "ws://" + echo}, want: "00ff\n6869\n"},
		{name: "wsecho: lines as binary in base64", stdin: "AP8=\n", args: []string{"-b", "-b64", "-n", "1", "ws://" + echo}, want: "AP8=\n"},
		{name: "wsecho: compressed", args: []string{"-z", "-x", long, "-n", "1", "ws://" + echo}, want: long + "\n"},
		{name: "wsecho: a line starting with / is text", stdin: "/close 1005\n", args: []string{"-n", "1", "ws://" + echo}, want: "/close 1005\n"},
		{name: "without -n, the wait ends normally", stdin: "a\n", args: []string{"-wait", "300ms", "ws://" + echo}, want: "a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := runWscat(t, tt.stdin, tt.args...)
			if diff := cmp.Diff(result{stdout: tt.want}, got, cmp.AllowUnexported(result{})); diff != "" {
				t.Fatalf("wscat %q (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

// -ts puts the time of day before every line.
func TestTimestamps(t *testing.T) {
	srv, _ := testServer(t)
	got := runWscat(t, "", "-ts", wsURL(srv, "/hello"))
	if !regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d\d\d hello\n$`).MatchString(got.stdout) || got.code != 0 {
		t.Fatalf("wscat -ts = %+v, want a timestamped hello and status 0", got)
	}
}

// Every failure exits non-zero with one line on stderr that says why, and
// puts nothing on stdout that the server did not send.
func TestFailures(t *testing.T) {
	srv, _ := testServer(t)
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts TCP, never answers
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() }) // after the parallel subtests
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close() // nothing listens there any more
	tls := httptest.NewUnstartedServer(http.NotFoundHandler())
	tls.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused certificate is expected
	tls.StartTLS()
	t.Cleanup(tls.Close)
	tests := []struct {
		name       string
		stdin      string
		args       []string
		wantCode   int
		wantStderr string // a regular expression for the one line
		wantStdout string // a regular expression (anchored) for all of it
	}{
		{name: "refused handshake", args: []string{wsURL(srv, "/refuse")}, wantCode: 1,
			wantStderr: `^wscat: handshake refused: HTTP 403 Forbidden: no entry here$`},
		{name: "not found", args: []string{wsURL(srv, "/nowhere")}, wantCode: 1,
			wantStderr: `^wscat: handshake refused: HTTP 404 Not Found: 404 page not found$`},
		{name: "close code 4001", stdin: "hi\n", args: []string{wsURL(srv, "/close4001")}, wantCode: 1,
			wantStderr: `^wscat: closed by the server: 4001 private use "nope"$`},
		{name: "protocol error", args: []string{wsURL(srv, "/broken")}, wantCode: 1,
			wantStderr: `^wscat: protocol error: the server broke the protocol \(.*opcode.*\); we closed with 1002 protocol error$`},
		{name: "ping timeout", args: []string{"-ping", "50ms", "-ping-timeout", "100ms", wsURL(srv, "/deaf")}, wantCode: 1,
			wantStderr: `^wscat: the server stopped answering pings \(ping: no pong within the timeout.*\)$`},
		{name: "fewer replies than -n", stdin: "one\n", args: []string{"-n", "3", "-wait", "200ms", wsURL(srv, "/echo")}, wantCode: 1,
			wantStderr: `^wscat: timeout: 1 of 3 messages received within 200ms after the input ended \(-wait\)$`, wantStdout: "one\n"},
		{name: "connect timeout", args: []string{"-timeout", "200ms", "ws://" + silent.Addr().String()}, wantCode: 1,
			wantStderr: `^wscat: connect timeout: no WebSocket connection within 200ms \(-timeout\)$`},
		{name: "nothing listening", args: []string{"ws://" + closed.Addr().String()}, wantCode: 1,
			wantStderr: `^wscat: .*connection refused$`},
		{name: "unknown certificate authority", args: []string{"wss" + strings.TrimPrefix(tls.URL, "https")}, wantCode: 1,
			wantStderr: `^wscat: .*certificate signed by unknown authority \(trust its CA with -ca FILE, or skip the check with -insecure\)$`},
		{name: "a script line that is not hex", stdin: "0102\nzz\n", args: []string{"-b", wsURL(srv, "/echo")}, wantCode: 1,
			wantStderr: `^wscat: line 2: "zz" is not hex: `, wantStdout: "(0102\n)?"}, // the echo may come before the close
		{name: "bad URL", args: []string{"ws://exa mple/"}, wantCode: 2,
			wantStderr: `^wscat: bad URL: parse "ws://exa mple/": invalid character " " in host name$`},
		{name: "bad scheme", args: []string{"ftp://example.com/"}, wantCode: 2,
			wantStderr: `^wscat: bad URL "ftp://example.com/": the scheme must be ws:// or wss://$`},
		{name: "header without a colon", args: []string{"-H", "X-Test 1", wsURL(srv, "/echo")}, wantCode: 2,
			wantStderr: `^wscat: header "X-Test 1" has no colon \(want -H 'Name: value'\)$`},
		{name: "a header the handshake sets itself", args: []string{"-H", "Sec-WebSocket-Key: x", wsURL(srv, "/echo")}, wantCode: 1,
			wantStderr: `^wscat: .*Sec-Websocket-Key`},
		{name: "no CA in the -ca file", args: []string{"-ca", os.Args[0], "wss://example.com/"}, wantCode: 2,
			wantStderr: `^wscat: -ca .*: no PEM certificate in it$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := runWscat(t, tt.stdin, tt.args...)
			if got.code != tt.wantCode || !regexp.MustCompile("^"+tt.wantStdout+"$").MatchString(got.stdout) || strings.Count(got.stderr, "\n") != 1 ||
				!regexp.MustCompile(tt.wantStderr).MatchString(strings.TrimSuffix(got.stderr, "\n")) {
				t.Fatalf("wscat %q = %+v\nwant status %d, stdout %q, one stderr line matching %q",
					tt.args, got, tt.wantCode, tt.wantStdout, tt.wantStderr)
			}
		})
	}
}

// wss:// with the server's CA from -ca, or with -insecure.
func TestTLS(t *testing.T) {
	srv, _ := testServer(t)
	tlsSrv := httptest.NewTLSServer(srv.Config.Handler)
	defer tlsSrv.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw})
	if err := os.WriteFile(caFile, cert, 0o600); err != nil {
		t.Fatal(err)
	}
	url := "wss" + strings.TrimPrefix(tlsSrv.URL, "https") + "/hello"
	for _, flag := range []string{"-ca=" + caFile, "-insecure"} {
		got := runWscat(t, "", flag, url)
		if got != (result{stdout: "hello\n"}) {
			t.Errorf("wscat %s %s = %+v, want hello", flag, url, got)
		}
	}
}

// The proxy comes from the environment (HTTP_PROXY), as for Go's HTTP client.
func TestProxyFromEnvironment(t *testing.T) {
	srv, _ := testServer(t)
	var mu sync.Mutex
	var asked []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		mu.Lock()
		asked = append(asked, r.Host)
		mu.Unlock()
		up, err := net.Dial("tcp", srv.Listener.Addr().String()) // whatever the name asked
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer up.Close()
		w.WriteHeader(http.StatusOK)
		down, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer down.Close()
		go func() { io.Copy(up, brw); up.(*net.TCPConn).CloseWrite() }()
		io.Copy(down, up)
	}))
	defer proxy.Close()
	// Loopback addresses never go through a proxy: name a host only the proxy knows.
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	got := runWscat(t, "", "ws://wscat-proxy-test.invalid/hello")
	mu.Lock()
	defer mu.Unlock()
	if got != (result{stdout: "hello\n"}) || !cmp.Equal(asked, []string{"wscat-proxy-test.invalid:80"}) {
		t.Fatalf("through the proxy: wscat = %+v, proxy asked for %q", got, asked)
	}
}

// Interactive use, as -mode tty makes it over pipes: markers, commands, and
// errors that leave the connection open.
func TestInteractive(t *testing.T) {
	srv, _ := testServer(t)
	p := start(t, "-mode", "tty", "-z", wsURL(srv, "/echo"))
	p.await(p.stderr, `^\* connected to ws://.*/echo \(permessage-deflate\)`)
	p.send("hello")
	if got := p.next(p.stdout); got != "< hello" {
		t.Fatalf("echo = %q, want %q", got, "< hello")
	}
	p.send("/binary 00 ff 68 69")
	if got := p.next(p.stdout); got != "< [binary 4 B] 00ff6869" {
		t.Fatalf("binary echo = %q", got)
	}
	p.send("/ping are you there")
	p.await(p.stderr, `^\* pong "are you there" after \d`)
	for line, want := range map[string]string{
		"/close 1005": `^wscat: /close: code 1005 no status received is not valid on the wire`,
		"/binary zz":  `^wscat: /binary: "zz" is not hex`,
		"/frobnicate": `^wscat: unknown command /frobnicate`,
	} {
		p.send(line)
		p.await(p.stderr, want)
	}
	p.send("/help")
	p.await(p.stderr, `^\* commands: /ping \[text\]  /binary DATA  /close \[code \[reason\]\]  /quit  /help$`)
	p.await(p.stderr, `^\* a line starting with // sends it with one / less$`)
	p.send("//still open")
	if got := p.next(p.stdout); got != "< /still open" {
		t.Fatalf("after the errors: %q", got)
	}
	p.send("/close 4000 done")
	if code := p.wait(); code != 1 {
		t.Errorf("exit status after /close 4000 = %d, want 1", code)
	}
	if got := rest(p.stderr); !cmp.Equal(got, []string{`wscat: closed: 4000 private use "done"`}) {
		t.Errorf("last stderr lines %q", got)
	}
}

// /quit, Ctrl-D (the end of a terminal's input) and Ctrl-C (SIGINT) close
// with 1000, 1000 and 1001, and exit with 0.
func TestInteractiveEndings(t *testing.T) {
	srv, closes := testServer(t)
	tests := []struct {
		name     string
		end      func(p *proc)
		wantCode conn.StatusCode
		wantLine string
	}{
		{name: "/quit", end: func(p *proc) { p.send("/quit") }, wantCode: 1000, wantLine: "* closed: 1000 normal closure"},
		{name: "Ctrl-D", end: func(p *proc) { p.stdin.Close() }, wantCode: 1000, wantLine: "* closed: 1000 normal closure"},
		{name: "Ctrl-C", end: func(p *proc) { p.cmd.Process.Signal(syscall.SIGINT) }, wantCode: 1001, wantLine: "* closed: 1001 going away"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := start(t, "-mode", "tty", wsURL(srv, "/record"))
			if got := p.next(p.stdout); got != "< ready" {
				t.Fatalf("first message %q", got)
			}
			tt.end(p)
			if code := p.wait(); code != 0 {
				t.Errorf("exit status %d, want 0", code)
			}
			if got := <-closes; got != tt.wantCode {
				t.Errorf("the server received close code %d, want %d", got, tt.wantCode)
			}
			if got := rest(p.stderr); len(got) == 0 || got[len(got)-1] != tt.wantLine {
				t.Errorf("stderr ends with %q, want %q", got, tt.wantLine)
			}
		})
	}
}

// A second Ctrl-C stops waiting for a closing handshake that the server
// never answers.
func TestSecondInterrupt(t *testing.T) {
	srv, _ := testServer(t)
	p := start(t, "-mode", "tty", wsURL(srv, "/deaf"))
	p.await(p.stderr, `^\* connected`)
	p.send("/quit")
	// The first signal may come before /quit is read (then it starts a close
	// with 1001); either way the next one cuts the wait short.
	for range 20 {
		p.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-p.exited:
		case <-time.After(200 * time.Millisecond):
			continue
		}
		break
	}
	if code := p.wait(); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	got := rest(p.stderr)
	if len(got) < 2 || got[len(got)-2] != "* closing at once" ||
		!regexp.MustCompile(`^wscat: closed with 100[01] .*, but the closing handshake did not complete: `).MatchString(got[len(got)-1]) {
		t.Errorf("stderr ends with %q", got)
	}
}
