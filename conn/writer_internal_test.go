package conn

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/frame"
)

// countingConn records every Write call made on the wrapped net.Conn.
type countingConn struct {
	net.Conn
	mu       sync.Mutex
	writes   [][]byte
	events   []string
	entering chan struct{} // gets a token as each Write starts, if not nil
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes = append(c.writes, bytes.Clone(p))
	c.events = append(c.events, "write")
	c.mu.Unlock()
	if c.entering != nil {
		select {
		case c.entering <- struct{}{}:
		default:
		}
	}
	return c.Conn.Write(p)
}

func (c *countingConn) Close() error {
	c.mu.Lock()
	c.events = append(c.events, "close")
	c.mu.Unlock()
	return c.Conn.Close()
}

func (c *countingConn) snapshot() (writes [][]byte, events []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.writes...), append([]string(nil), c.events...)
}

// readFrames parses every frame in b (written by a server: unmasked).
func readFrames(t *testing.T, b []byte) []frame.Header {
	t.Helper()
	var hs []frame.Header
	for len(b) > 0 {
		h, n, err := frame.ParseHeader(b)
		if err != nil {
			t.Fatalf("parse frame: %v", err)
		}
		hs = append(hs, h)
		b = b[n+int(h.Length):]
	}
	return hs
}

// Frames queued while a write is under way leave together in the next one
// (the write coalescing issue 7 measures).
func TestWriterCoalescesQueuedFrames(t *testing.T) {
	ours, peer := net.Pipe()
	cc := &countingConn{Conn: ours, entering: make(chan struct{}, 1)}
	ws := New(cc, nil, frame.Server, nil)
	defer ws.CloseNow()
	defer peer.Close()
	ctx := context.Background()

	first := make(chan error, 1)
	go func() { first <- ws.SendText(ctx, "first") }()
	select {
	case <-cc.entering: // the first write blocks: net.Pipe waits for the reader
	case <-time.After(5 * time.Second):
		t.Fatal("first write did not start")
	}
	const queued = 5
	for i := range queued {
		if err := ws.SendBinary(ctx, []byte{byte(i)}); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	// Now let the bytes through.
	br := bufio.NewReader(peer)
	var hb [frame.MaxHeaderSize]byte
	for i := range 1 + queued {
		peer.SetReadDeadline(time.Now().Add(5 * time.Second))
		h, err := frame.ReadHeader(br, hb[:])
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if _, err := io.CopyN(io.Discard, br, h.Length); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-first; err != nil {
		t.Fatalf("first Send: %v", err)
	}
	writes, _ := cc.snapshot()
	if len(writes) != 2 {
		t.Fatalf("%d Write calls, want 2 (the first message, then the %d queued ones together)", len(writes), queued)
	}
	if got := len(readFrames(t, writes[1])); got != queued {
		t.Fatalf("second write holds %d frames, want %d", got, queued)
	}
}

// Send does not allocate, on either side (a client masks into the output
// buffer, never into the caller's slice).
func TestSendAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts are checked in long mode, without the race detector (it makes sync.Pool drop items)")
	}
	for _, role := range []frame.Role{frame.Server, frame.Client} {
		for _, size := range []int{16, 1024, 65536} {
			ws := New(&sinkConn{closed: make(chan struct{})}, nil, role, nil)
			data := bytes.Repeat([]byte("x"), size)
			ctx := context.Background()
			allocs := testing.AllocsPerRun(200, func() {
				if err := ws.Send(ctx, Binary, data); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%v Send of %d bytes: %.1f allocations, want 0", role, size, allocs)
			}
			if data[0] != 'x' || data[size-1] != 'x' {
				t.Errorf("%v Send modified the caller's payload", role)
			}
			ws.CloseNow()
		}
	}
}

// Receive allocates at most the message's data.
func TestReceiveAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts are checked in long mode, without the race detector (it makes sync.Pool drop items)")
	}
	rc := newReplayConn(maskedFrame(1024), 1<<30)
	ws := New(rc, nil, frame.Server, nil)
	defer ws.CloseNow()
	ctx := context.Background()
	for range 100 { // warm up the pools and the queue
		if _, err := ws.Receive(ctx); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(1000, func() {
		msg, err := ws.Receive(ctx)
		if err != nil || len(msg.Data) != 1024 {
			t.Fatalf("Receive: %d bytes, %v", len(msg.Data), err)
		}
	})
	if allocs > 1 {
		t.Errorf("Receive of 1 KiB: %.2f allocations, want at most 1", allocs)
	}
	// An application that releases its messages receives without any.
	allocs = testing.AllocsPerRun(1000, func() {
		msg, err := ws.Receive(ctx)
		if err != nil || len(msg.Data) != 1024 {
			t.Fatalf("Receive: %d bytes, %v", len(msg.Data), err)
		}
		msg.Release()
	})
	if allocs > 0.05 {
		t.Errorf("Receive and Release of 1 KiB: %.2f allocations, want 0", allocs)
	}
}

// A burst of pings is answered with one pong each, with the same payloads,
// in order (RFC 6455 §5.5.2, §5.5.3), whatever the writes look like.
func TestPongOrder(t *testing.T) {
	ours, peer := net.Pipe()
	ws := New(ours, nil, frame.Server, nil)
	defer ws.CloseNow()
	defer peer.Close()
	var burst []byte
	const n = 50
	for i := range n {
		h := frame.Header{Fin: true, Opcode: frame.OpPing, Masked: true, Key: [4]byte{1, 2, 3, byte(i)}, Length: 2}
		burst = frame.AppendHeader(burst, h)
		p := []byte{byte(i), byte(i >> 8)}
		frame.Mask(h.Key, 0, p)
		burst = append(burst, p...)
	}
	go peer.Write(burst)
	br := bufio.NewReader(peer)
	var hb [frame.MaxHeaderSize]byte
	for i := range n {
		peer.SetReadDeadline(time.Now().Add(5 * time.Second))
		h, err := frame.ReadHeader(br, hb[:])
		if err != nil {
			t.Fatalf("pong %d: %v", i, err)
		}
		p := make([]byte, h.Length)
		if _, err := io.ReadFull(br, p); err != nil {
			t.Fatal(err)
		}
		if h.Opcode != frame.OpPong || !bytes.Equal(p, []byte{byte(i), byte(i >> 8)}) {
			t.Fatalf("frame %d: %v %x, want pong %x", i, h.Opcode, p, []byte{byte(i), byte(i >> 8)})
		}
	}
}

// Close sends the close frame last, after the frames queued before it, and
// the server closes the socket only after the peer's close frame.
func TestCloseSequence(t *testing.T) {
	ours, peer := net.Pipe()
	cc := &countingConn{Conn: ours}
	ws := New(cc, nil, frame.Server, &Options{CloseTimeout: 5 * time.Second})
	defer peer.Close()
	ctx := context.Background()

	br := bufio.NewReader(peer)
	var got []frame.Header
	peerDone := make(chan error, 1)
	go func() {
		var hb [frame.MaxHeaderSize]byte
		for {
			h, err := frame.ReadHeader(br, hb[:])
			if err != nil {
				peerDone <- err
				return
			}
			if _, err := io.CopyN(io.Discard, br, h.Length); err != nil {
				peerDone <- err
				return
			}
			got = append(got, h)
			if h.Opcode == frame.OpClose {
				h := frame.Header{Fin: true, Opcode: frame.OpClose, Masked: true, Length: 2}
				reply := append(frame.AppendHeader(nil, h), frame.AppendClose(nil, StatusNormalClosure, "")...)
				peer.Write(reply)
			}
		}
	}()
	for i := range 3 {
		if err := ws.SendBinary(ctx, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ws.Close(StatusNormalClosure, "done"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-peerDone:
		if !errors.Is(err, io.EOF) {
			t.Fatalf("peer read ended with %v, want EOF", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not close the socket")
	}
	if len(got) != 4 || got[3].Opcode != frame.OpClose {
		t.Fatalf("frames %v, want three binary frames then close", got)
	}
	_, events := cc.snapshot()
	if events[len(events)-1] != "close" || events[len(events)-2] != "write" {
		t.Fatalf("events %v, want the socket closed after the last write", events)
	}
	if err := ws.Close(StatusNormalClosure, ""); err != nil {
		t.Fatalf("second Close: %v, want the first one's nil", err)
	}
	if err := ws.SendText(ctx, "late"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send after Close: %v, want ErrClosed", err)
	}
}

// sinkConn swallows writes; reads block until Close.
type sinkConn struct {
	closed chan struct{}
	once   sync.Once
}

func (c *sinkConn) Read(p []byte) (int, error)       { <-c.closed; return 0, net.ErrClosed }
func (c *sinkConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *sinkConn) Close() error                     { c.once.Do(func() { close(c.closed) }); return nil }
func (c *sinkConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *sinkConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *sinkConn) SetDeadline(time.Time) error      { return nil }
func (c *sinkConn) SetReadDeadline(time.Time) error  { return nil }
func (c *sinkConn) SetWriteDeadline(time.Time) error { return nil }

// replayConn serves one frame over and over (frames times), then EOF, like
// the shared bench's BenchmarkRecv; writes are swallowed.
type replayConn struct {
	sinkConn
	frame  []byte
	off    int
	frames int
}

func newReplayConn(f []byte, frames int) *replayConn {
	return &replayConn{sinkConn: sinkConn{closed: make(chan struct{})}, frame: f, frames: frames}
}

func (c *replayConn) Read(p []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	if c.frames <= 0 {
		return 0, io.EOF
	}
	n := copy(p, c.frame[c.off:])
	c.off += n
	if c.off == len(c.frame) {
		c.off = 0
		c.frames--
	}
	return n, nil
}

// maskedFrame is one masked binary frame of n bytes, as a client sends it.
func maskedFrame(n int) []byte {
	h := frame.Header{Fin: true, Opcode: frame.OpBinary, Masked: true, Key: [4]byte{0x12, 0x34, 0x56, 0x78}, Length: int64(n)}
	b := frame.AppendHeader(nil, h)
	start := len(b)
	for i := range n {
		b = append(b, byte('a'+i%26))
	}
	frame.Mask(h.Key, 0, b[start:])
	return b
}
