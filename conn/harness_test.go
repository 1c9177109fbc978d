package conn_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
)

// soon bounds everything that should happen promptly. Tests assert that a
// thing happens within soon, never how fast: the machine is shared.
const soon = 3 * time.Second

// testCtx returns a context that ends with the test or after d.
func testCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

func other(r frame.Role) frame.Role {
	if r == frame.Server {
		return frame.Client
	}
	return frame.Server
}

func roleName(r frame.Role) string {
	if r == frame.Server {
		return "server"
	}
	return "client"
}

var roles = []frame.Role{frame.Server, frame.Client}

// A transport makes two connected net.Conns: ours (wrapped by the *conn.Conn
// under test) and the peer's.
type transport struct {
	name  string
	conns func(t *testing.T) (ours, peer net.Conn)
}

var (
	pipeTransport = transport{"pipe", pipeConns}
	tcpTransport  = transport{"tcp", tcpConns}
	transports    = []transport{pipeTransport, tcpTransport}
)

func pipeConns(t *testing.T) (net.Conn, net.Conn) {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// tcpBuffer is the socket buffer size asked for on both ends of loopback TCP
// pairs, so that backpressure shows after a few hundred KiB, not megabytes.
const tcpBuffer = 32 << 10

func tcpConns(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	type accepted struct {
		c   net.Conn
		err error
	}
	ch := make(chan accepted, 1)
	go func() {
		c, err := ln.Accept()
		ch <- accepted{c, err}
	}()
	d, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	a := <-ch
	if a.err != nil {
		d.Close()
		t.Fatalf("accept: %v", a.err)
	}
	for _, c := range []net.Conn{a.c, d} {
		tc := c.(*net.TCPConn)
		tc.SetReadBuffer(tcpBuffer)
		tc.SetWriteBuffer(tcpBuffer)
	}
	t.Cleanup(func() { a.c.Close(); d.Close() })
	return a.c, d
}

// closeAndWait ends ws without a handshake and checks that Done is closed
// soon after: CloseNow must release everything.
func closeAndWait(t *testing.T, ws *conn.Conn, name string) {
	t.Helper()
	ws.CloseNow()
	select {
	case <-ws.Done():
	case <-time.After(soon):
		t.Errorf("%s: Done not closed %v after CloseNow", name, soon)
	}
}

// newPair wraps both ends of tr in *conn.Conn: a with role aRole, b with the
// other role.
func newPair(t *testing.T, tr transport, aRole frame.Role, ao, bo *conn.Options) (a, b *conn.Conn) {
	t.Helper()
	x, y := tr.conns(t)
	a = conn.New(x, nil, aRole, ao)
	b = conn.New(y, nil, other(aRole), bo)
	t.Cleanup(func() { closeAndWait(t, a, "a"); closeAndWait(t, b, "b") })
	return a, b
}

// httpPair connects a client made by conn.Dial to a server made by
// conn.Accept inside an httptest.Server; a has role aRole.
func httpPair(t *testing.T, aRole frame.Role, ao, bo *conn.Options) (a, b *conn.Conn) {
	t.Helper()
	so, co := ao, bo
	if aRole == frame.Client {
		so, co = bo, ao
	}
	srv, accepted := acceptServer(t, acceptOptions(so))
	client, resp, err := conn.Dial(testCtx(t, soon), wsURL(srv), dialOptions(co))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if resp == nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Errorf("Dial response = %v, want 101", resp)
	}
	var server *conn.Conn
	select {
	case server = <-accepted:
	case <-time.After(soon):
		t.Fatal("Accept did not return")
	}
	if server == nil {
		t.Fatal("Accept failed")
	}
	a, b = server, client
	if aRole == frame.Client {
		a, b = client, server
	}
	t.Cleanup(func() { closeAndWait(t, a, "a"); closeAndWait(t, b, "b") })
	return a, b
}

// acceptServer starts an httptest.Server whose handler accepts every request
// and hands the connection over on the returned channel (nil when Accept
// failed).
func acceptServer(t *testing.T, opts *conn.AcceptOptions) (*httptest.Server, <-chan *conn.Conn) {
	t.Helper()
	ch := make(chan *conn.Conn, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, opts)
		if err != nil {
			ch <- nil
			return
		}
		ch <- ws
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

func wsURL(srv *httptest.Server) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func acceptOptions(o *conn.Options) *conn.AcceptOptions {
	if o == nil {
		return nil
	}
	return &conn.AcceptOptions{ReadLimit: o.ReadLimit, StreamLimit: o.StreamLimit, QueueSize: o.QueueSize, CloseTimeout: o.CloseTimeout, Ping: o.Ping}
}

func dialOptions(o *conn.Options) *conn.DialOptions {
	if o == nil {
		return nil
	}
	return &conn.DialOptions{ReadLimit: o.ReadLimit, StreamLimit: o.StreamLimit, QueueSize: o.QueueSize, CloseTimeout: o.CloseTimeout, Ping: o.Ping}
}

// pairKind is one way of making a connected pair.
type pairKind struct {
	name string
	make func(t *testing.T, aRole frame.Role, ao, bo *conn.Options) (a, b *conn.Conn)
}

var (
	pipePairs = pairKind{"pipe", func(t *testing.T, r frame.Role, ao, bo *conn.Options) (*conn.Conn, *conn.Conn) {
		return newPair(t, pipeTransport, r, ao, bo)
	}}
	tcpPairs = pairKind{"tcp", func(t *testing.T, r frame.Role, ao, bo *conn.Options) (*conn.Conn, *conn.Conn) {
		return newPair(t, tcpTransport, r, ao, bo)
	}}
	httpPairs = pairKind{"http", httpPair}
	allPairs  = []pairKind{pipePairs, tcpPairs, httpPairs}
)

// forPairs runs f on connected pairs made every way in kinds (all kinds when
// none is given), once with a as the server and once with a as the client,
// so each test covers both sides.
func forPairs(t *testing.T, ao, bo *conn.Options, f func(t *testing.T, a, b *conn.Conn), kinds ...pairKind) {
	t.Helper()
	if len(kinds) == 0 {
		kinds = allPairs
	}
	for _, k := range kinds {
		for _, r := range roles {
			t.Run(k.name+"/a="+roleName(r), func(t *testing.T) {
				a, b := k.make(t, r, ao, bo)
				f(t, a, b)
			})
		}
	}
}

// rawPeer is the far end of a connection under test, driven by hand: the test
// writes frames built with frame.AppendHeader and reads frames with
// frame.ReadHeader, so it sees exactly what goes on the wire.
type rawPeer struct {
	nc     net.Conn
	client bool // the raw peer plays the client: it masks what it writes

	frames <-chan rawResult
	stop   chan struct{}
}

type rawFrame struct {
	frame.Header
	Payload []byte
}

type rawResult struct {
	f   rawFrame
	err error
}

// newRaw wraps the "ours" end of tr in a *conn.Conn with role ourRole and
// returns it with a raw peer on the other end.
func newRaw(t *testing.T, tr transport, ourRole frame.Role, opts *conn.Options) (*conn.Conn, *rawPeer) {
	t.Helper()
	x, y := tr.conns(t)
	ws := conn.New(x, nil, ourRole, opts)
	p := &rawPeer{nc: y, client: ourRole == frame.Server, stop: make(chan struct{})}
	t.Cleanup(func() {
		p.nc.Close()
		closeAndWait(t, ws, "ws")
		close(p.stop)
	})
	return ws, p
}

// forRaw runs f against a raw peer over each transport in trs (all when none
// is given), with our side as the server and as the client.
func forRaw(t *testing.T, opts *conn.Options, f func(t *testing.T, ws *conn.Conn, p *rawPeer), trs ...transport) {
	t.Helper()
	if len(trs) == 0 {
		trs = transports
	}
	for _, tr := range trs {
		for _, r := range roles {
			t.Run(tr.name+"/ours="+roleName(r), func(t *testing.T) {
				ws, p := newRaw(t, tr, r, opts)
				f(t, ws, p)
			})
		}
	}
}

func randomKey() [4]byte {
	var k [4]byte
	v := rand.Uint32()
	k[0], k[1], k[2], k[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	return k
}

// build returns the bytes of one frame with header h (Length is set from the
// payload) and payload masked when h.Masked.
func build(h frame.Header, payload []byte) []byte {
	h.Length = int64(len(payload))
	b := frame.AppendHeader(nil, h)
	start := len(b)
	b = append(b, payload...)
	if h.Masked {
		frame.Mask(h.Key, 0, b[start:])
	}
	return b
}

// frameBytes builds a legal frame for this peer's role (masked when it plays
// the client).
func (p *rawPeer) frameBytes(fin bool, op frame.Opcode, payload []byte) []byte {
	h := frame.Header{Fin: fin, Opcode: op, Masked: p.client}
	if p.client {
		h.Key = randomKey()
	}
	return build(h, payload)
}

// write sends raw bytes; it may be called from any goroutine.
func (p *rawPeer) write(b []byte) error {
	_, err := p.nc.Write(b)
	return err
}

// send writes one frame, failing the test on error (test goroutine only).
func (p *rawPeer) send(t *testing.T, fin bool, op frame.Opcode, payload []byte) {
	t.Helper()
	if err := p.write(p.frameBytes(fin, op, payload)); err != nil {
		t.Fatalf("raw peer write %v: %v", op, err)
	}
}

// sendAsync writes b from a new goroutine (over net.Pipe a write blocks until
// the other side reads, and our side may be writing to us at the same time).
// The returned channel gets the write's error.
func (p *rawPeer) sendAsync(b []byte) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- p.write(b) }()
	return ch
}

func closePayload(code frame.StatusCode, reason string) []byte {
	return frame.AppendClose(nil, code, reason)
}

// readFrame reads one whole frame and unmasks it. A frame masked the wrong way
// for its direction is an error: RFC 6455 §5.1, "a client MUST mask all
// frames that it sends to the server" and "A server MUST NOT mask any frames
// that it sends to the client".
func readFrame(br *bufio.Reader, fromClient bool) (rawFrame, error) {
	var hb [frame.MaxHeaderSize]byte
	h, err := frame.ReadHeader(br, hb[:])
	if err != nil {
		return rawFrame{}, err
	}
	if h.Masked != fromClient {
		return rawFrame{}, fmt.Errorf("frame %v masked=%v, sent by a %s", h.Opcode, h.Masked, map[bool]string{true: "client", false: "server"}[fromClient])
	}
	if h.Length < 0 || h.Length > 64<<20 {
		return rawFrame{}, fmt.Errorf("frame %v with length %d", h.Opcode, h.Length)
	}
	payload := make([]byte, h.Length)
	if _, err := io.ReadFull(br, payload); err != nil {
		return rawFrame{}, fmt.Errorf("payload of %v: %w", h.Opcode, err)
	}
	if h.Masked {
		frame.Mask(h.Key, 0, payload)
	}
	return rawFrame{h, payload}, nil
}

// startReading starts the peer's reader goroutine: every frame our side
// sends, then the error that ended the stream, arrive on the returned channel.
func (p *rawPeer) startReading() <-chan rawResult {
	ch := make(chan rawResult, 64)
	p.frames = ch
	go func() {
		defer close(ch)
		br := bufio.NewReader(p.nc)
		for {
			f, err := readFrame(br, !p.client)
			select {
			case ch <- rawResult{f, err}:
			case <-p.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}

// next returns the next frame our side sent, failing the test when none comes
// within d or the stream ends.
func (p *rawPeer) next(t *testing.T, d time.Duration) rawFrame {
	t.Helper()
	select {
	case r, ok := <-p.frames:
		if !ok {
			t.Fatal("raw peer: stream already ended")
		}
		if r.err != nil {
			t.Fatalf("raw peer: read: %v", r.err)
		}
		return r.f
	case <-time.After(d):
		t.Fatalf("raw peer: no frame within %v", d)
	}
	panic("unreachable")
}

// nextData returns the next frame that is not a ping or pong.
func (p *rawPeer) nextNonControl(t *testing.T, d time.Duration) rawFrame {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		f := p.next(t, time.Until(deadline))
		if f.Opcode != frame.OpPing && f.Opcode != frame.OpPong {
			return f
		}
	}
}

// expectClose reads frames (skipping pings and pongs) until a close frame and
// checks its code; it returns the reason.
func (p *rawPeer) expectClose(t *testing.T, want frame.StatusCode) string {
	t.Helper()
	f := p.nextNonControl(t, soon)
	if f.Opcode != frame.OpClose {
		t.Fatalf("raw peer: got %v frame %q, want close %d", f.Opcode, trunc(f.Payload), want)
	}
	code, reason, err := frame.ParseClose(f.Payload)
	if err != nil {
		t.Fatalf("raw peer: close payload %x: %v", f.Payload, err)
	}
	if code != want {
		t.Fatalf("raw peer: close code %d (%q), want %d", code, reason, want)
	}
	return reason
}

// expectEnd checks that the stream ends (EOF or another read error, not a
// frame) within d, without the raw peer closing its end.
func (p *rawPeer) expectEnd(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case r, ok := <-p.frames:
			if !ok {
				return
			}
			if r.err != nil {
				return
			}
			if r.f.Opcode == frame.OpPing || r.f.Opcode == frame.OpPong {
				continue
			}
			t.Fatalf("raw peer: got %v frame %q, want the end of the stream", r.f.Opcode, trunc(r.f.Payload))
		case <-deadline:
			t.Fatalf("raw peer: our side did not close the connection within %v", d)
		}
	}
}

// expectSilence checks that no frame and no end of stream comes within d.
func (p *rawPeer) expectSilence(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case r, ok := <-p.frames:
		if !ok {
			t.Fatal("raw peer: stream ended, want silence")
		}
		if r.err != nil {
			t.Fatalf("raw peer: stream ended with %v, want silence", r.err)
		}
		t.Fatalf("raw peer: got %v frame %q, want silence", r.f.Opcode, trunc(r.f.Payload))
	case <-time.After(d):
	}
}

func trunc(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// receive calls ws.Receive with a soon-bounded context and fails the test on
// error.
func receive(t *testing.T, ws *conn.Conn) conn.Message {
	t.Helper()
	msg, err := ws.Receive(testCtx(t, soon))
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return msg
}

func expectMessage(t *testing.T, ws *conn.Conn, typ conn.MessageType, data string) {
	t.Helper()
	msg := receive(t, ws)
	if msg.Type != typ || string(msg.Data) != data {
		t.Fatalf("Receive = {%v %q}, want {%v %q}", msg.Type, trunc(msg.Data), typ, trunc([]byte(data)))
	}
}

// receiveErr calls Receive and returns its error, failing if a message came.
func receiveErr(t *testing.T, ws *conn.Conn) error {
	t.Helper()
	msg, err := ws.Receive(testCtx(t, soon))
	if err == nil {
		t.Fatalf("Receive = {%v %q}, want an error", msg.Type, trunc(msg.Data))
	}
	if errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, conn.ErrClosed) {
		t.Fatalf("Receive: no error within %v (%v)", soon, err)
	}
	return err
}

// waitDone fails unless ws.Done is closed within d.
func waitDone(t *testing.T, ws *conn.Conn, d time.Duration) {
	t.Helper()
	select {
	case <-ws.Done():
	case <-time.After(d):
		t.Fatalf("Done not closed within %v", d)
	}
}

func isDone(ws *conn.Conn) bool {
	select {
	case <-ws.Done():
		return true
	default:
		return false
	}
}

// isTimeout reports whether err says a deadline passed, as a context error or
// as a net deadline.
func isTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded)
}

// within runs f and fails the test if it does not return within d. It returns
// how long f took.
func within(t *testing.T, d time.Duration, what string, f func()) time.Duration {
	t.Helper()
	done := make(chan struct{})
	start := time.Now()
	go func() { defer close(done); f() }()
	select {
	case <-done:
		return time.Since(start)
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
	}
	panic("unreachable")
}
