package conn

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/frame"
)

// loopback returns a connected pair of TCP connections: the reading role can
// move to Receive only on sockets whose readability can be awaited.
func loopback(tb testing.TB) (ours, peer net.Conn) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			c = nil
		}
		ch <- c
	}()
	peer, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatalf("dial: %v", err)
	}
	ours = <-ch
	if ours == nil {
		peer.Close()
		tb.Fatal("accept failed")
	}
	tb.Cleanup(func() { ours.Close(); peer.Close() })
	return ours, peer
}

// clientFrame is one masked frame as a client sends it.
func clientFrame(fin bool, op frame.Opcode, payload []byte) []byte {
	h := frame.Header{Fin: fin, Opcode: op, Masked: true, Key: [4]byte{9, 8, 7, 6}, Length: int64(len(payload))}
	b := frame.AppendHeader(nil, h)
	start := len(b)
	b = append(b, payload...)
	frame.Mask(h.Key, 0, b[start:])
	return b
}

// Who holds the reading, as the tests see it.
const (
	rdParked     = iota // nobody
	rdReceiver          // a Receive call (no background reader runs)
	rdBackground        // the background reader
)

func (c *Conn) readingState() uint8 {
	if !c.reading.held.Load() {
		return rdParked
	}
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	if strings.Contains(stacks, fmt.Sprintf("(*Conn).background(%p", c)) {
		return rdBackground
	}
	return rdReceiver
}

// eventually polls cond for a few seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// A Receive call waiting on TCP reads the socket itself: the reader
// goroutine steps aside, and messages still arrive whole and in order.
func TestReceiveTakesTheReading(t *testing.T) {
	ours, peer := loopback(t)
	ws := New(ours, nil, frame.Server, nil)
	defer ws.CloseNow()
	ctx := context.Background()

	got := make(chan Message, 1)
	go func() {
		m, err := ws.Receive(ctx)
		if err != nil {
			t.Errorf("Receive: %v", err)
		}
		got <- m
	}()
	eventually(t, "the waiting Receive reads", func() bool { return ws.readingState() == rdReceiver })
	for i := range 3 {
		var b []byte
		b = append(b, clientFrame(true, frame.OpText, []byte(fmt.Sprint("m", i)))...)
		if _, err := peer.Write(b); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if m := <-got; m.Text() != "m0" {
				t.Fatalf("got %q, want m0", m.Text())
			}
		}
	}
	for _, want := range []string{"m1", "m2"} {
		m, err := ws.Receive(ctx)
		if err != nil || m.Text() != want {
			t.Fatalf("Receive = %q, %v; want %q", m.Text(), err, want)
		}
	}
}

// A Receive call that reads and gives up (its context ends with half a frame
// buffered) loses nothing: the next call returns the whole message.
func TestReceiveReadingGivesUpMidFrame(t *testing.T) {
	ours, peer := loopback(t)
	ws := New(ours, nil, frame.Server, nil)
	defer ws.CloseNow()

	f := clientFrame(true, frame.OpBinary, []byte("hello, world"))
	for i, cut := range []int{1, 7, len(f) - 1} {
		if _, err := peer.Write(f[:cut]); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		_, err := ws.Receive(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("cut %d: Receive = %v, want DeadlineExceeded", i, err)
		}
		// ReceiveTimeout uses the socket deadline directly.
		if _, err := ws.ReceiveTimeout(20 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("cut %d: ReceiveTimeout = %v, want DeadlineExceeded", i, err)
		}
		if _, err := peer.Write(f[cut:]); err != nil {
			t.Fatal(err)
		}
		m, err := ws.ReceiveTimeout(5 * time.Second)
		if err != nil || string(m.Data) != "hello, world" {
			t.Fatalf("cut %d: Receive = %q, %v", i, m.Data, err)
		}
	}
}

// A frame larger than the read buffer is read by the waiting Receive call
// itself as its bytes arrive, with no reader goroutine in between: after the
// message, the reading is parked, not back with a goroutine.
func TestReceiveReadsLargeFrames(t *testing.T) {
	ours, peer := loopback(t)
	ws := New(ours, nil, frame.Server, &Options{ReadLimit: 1 << 20})
	defer ws.CloseNow()
	payload := make([]byte, 200<<10)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	f := clientFrame(true, frame.OpBinary, payload)
	for i := range 3 {
		errc := make(chan error, 1)
		go func() {
			if i == 0 {
				// Past the idle timer armed by New, which then finds the
				// reading held and goes: the check below sees only what
				// Receive did.
				time.Sleep(3 * idleGrace)
			}
			// Slowly, so that the payload cannot be buffered at once.
			for pos := 0; pos < len(f); pos += 50 << 10 {
				if _, err := peer.Write(f[pos:min(pos+50<<10, len(f))]); err != nil {
					errc <- err
					return
				}
				time.Sleep(2 * time.Millisecond)
			}
			errc <- nil
		}()
		m, err := ws.ReceiveTimeout(5 * time.Second)
		if err != nil || !bytes.Equal(m.Data, payload) {
			t.Fatalf("message %d: Receive = %d bytes, %v; want the %d sent", i, len(m.Data), err, len(payload))
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if st := ws.readingState(); st != rdParked {
			t.Fatalf("message %d: reading state %d after Receive, want rdParked (%d)", i, st, rdParked)
		}
	}
}

// A Receive call whose context ends in the middle of a large frame's payload
// loses nothing: whoever reads next (another Receive call, or the reader
// goroutine once the application is away) goes on from there, UTF-8 is still
// checked across the break, and the message arrives whole.
func TestReceiveGivesUpMidPayload(t *testing.T) {
	text := bytes.Repeat([]byte("héllo wörld €uro "), 4000) // ~80 KiB, multi-byte runes
	// serverFrame is an unmasked frame, as a server sends it to our client.
	serverFrame := func(fin bool, op frame.Opcode, payload []byte) []byte {
		return append(frame.AppendHeader(nil, frame.Header{Fin: fin, Opcode: op, Length: int64(len(payload))}), payload...)
	}
	type frameFunc func(bool, frame.Opcode, []byte) []byte
	type tc struct {
		name string
		role frame.Role
		f    []byte
	}
	var tests []tc
	for _, r := range []struct {
		role frame.Role
		mk   frameFunc
	}{{frame.Server, clientFrame}, {frame.Client, serverFrame}} {
		tests = append(tests,
			tc{fmt.Sprint(r.role, "/single"), r.role, r.mk(true, frame.OpText, text)},
			tc{fmt.Sprint(r.role, "/fragmented"), r.role, append(append(r.mk(false, frame.OpText, text[:30001]),
				r.mk(false, frame.OpContinuation, text[30001:50002])...),
				r.mk(true, frame.OpContinuation, text[50002:])...)})
	}
	for _, tt := range tests {
		f := tt.f
		for _, away := range []time.Duration{0, 4 * idleGrace} {
			t.Run(fmt.Sprint(tt.name, "/away=", away), func(t *testing.T) {
				ours, peer := loopback(t)
				ws := New(ours, nil, tt.role, &Options{ReadLimit: 1 << 20})
				defer ws.CloseNow()
				// Cuts inside headers, inside payloads (one inside a
				// multi-byte rune), and at a frame boundary.
				cuts := []int{1, 5000, 20001, 30009, 45000, 50011, len(f) - 3, len(f)}
				prev := 0
				for i, cut := range cuts {
					if _, err := peer.Write(f[prev:cut]); err != nil {
						t.Fatal(err)
					}
					prev = cut
					if cut == len(f) {
						break
					}
					var err error
					if i%2 == 0 {
						ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
						_, err = ws.Receive(ctx)
						cancel()
					} else {
						_, err = ws.ReceiveTimeout(20 * time.Millisecond)
					}
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Fatalf("cut %d: Receive = %v, want DeadlineExceeded", cut, err)
					}
					time.Sleep(away)
				}
				m, err := ws.ReceiveTimeout(5 * time.Second)
				if err != nil || m.Type != Text || !bytes.Equal(m.Data, text) {
					t.Fatalf("Receive = type %v, %d bytes, %v; want the %d-byte text", m.Type, len(m.Data), err, len(text))
				}
				// The connection is still in step: a ping after it is
				// answered and a message after it arrives.
				next := clientFrame(true, frame.OpBinary, []byte("next"))
				if tt.role == frame.Client {
					next = serverFrame(true, frame.OpBinary, []byte("next"))
				}
				if _, err := peer.Write(next); err != nil {
					t.Fatal(err)
				}
				if m, err := ws.ReceiveTimeout(5 * time.Second); err != nil || string(m.Data) != "next" {
					t.Fatalf("Receive = %q, %v; want next", m.Data, err)
				}
			})
		}
	}
}

// Invalid UTF-8 in the part of a payload read after a Receive call gave up
// still fails the connection with 1007.
func TestReceiveGivesUpMidPayloadInvalidUTF8(t *testing.T) {
	ours, peer := loopback(t)
	ws := New(ours, nil, frame.Server, &Options{ReadLimit: 1 << 20})
	defer ws.CloseNow()
	text := bytes.Repeat([]byte("a"), 40000)
	text[30000] = 0xff
	f := clientFrame(true, frame.OpText, text)
	if _, err := peer.Write(f[:20000]); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.ReceiveTimeout(20 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Receive = %v, want DeadlineExceeded", err)
	}
	if _, err := peer.Write(f[20000:]); err != nil {
		t.Fatal(err)
	}
	_, err := ws.ReceiveTimeout(5 * time.Second)
	var pe *frame.ProtocolError
	if !errors.As(err, &pe) || pe.Code != StatusInvalidFramePayloadData {
		t.Fatalf("Receive = %v, want a 1007 protocol error", err)
	}
}

// While the application is away from Receive, the reading goes back to the
// reader goroutine: a ping is answered, and Close still completes its
// handshake.
func TestParkedReadingAnswersPingAndClose(t *testing.T) {
	ours, peer := loopback(t)
	ws := New(ours, nil, frame.Server, nil)
	defer ws.CloseNow()
	br := bufio.NewReader(peer)
	var hb [frame.MaxHeaderSize]byte

	if _, err := peer.Write(clientFrame(true, frame.OpText, []byte("x"))); err != nil {
		t.Fatal(err)
	}
	if m, err := ws.ReceiveTimeout(5 * time.Second); err != nil || m.Text() != "x" {
		t.Fatalf("Receive = %q, %v", m.Text(), err)
	}
	// No Receive from here on.
	if _, err := peer.Write(clientFrame(true, frame.OpPing, []byte("p"))); err != nil {
		t.Fatal(err)
	}
	peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	h, err := frame.ReadHeader(br, hb[:])
	if err != nil || h.Opcode != frame.OpPong || h.Length != 1 {
		t.Fatalf("got %+v, %v; want a pong", h, err)
	}
	if _, err := io.CopyN(io.Discard, br, h.Length); err != nil {
		t.Fatal(err)
	}

	closed := make(chan error, 1)
	go func() { closed <- ws.Close(StatusNormalClosure, "") }()
	h, err = frame.ReadHeader(br, hb[:])
	if err != nil || h.Opcode != frame.OpClose {
		t.Fatalf("got %+v, %v; want our close frame", h, err)
	}
	if _, err := peer.Write(clientFrame(true, frame.OpClose, frame.AppendClose(nil, StatusNormalClosure, ""))); err != nil {
		t.Fatal(err)
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// Close and CloseNow from another goroutine end a Receive call that is
// reading the socket.
func TestCloseEndsReadingReceive(t *testing.T) {
	big := clientFrame(true, frame.OpBinary, make([]byte, 100<<10))
	for _, midFrame := range []bool{false, true} {
		for _, now := range []bool{false, true} {
			t.Run(fmt.Sprint("midFrame=", midFrame, "/now=", now), func(t *testing.T) {
				closeEndsReadingReceive(t, midFrame, now, big)
			})
		}
	}
}

func closeEndsReadingReceive(t *testing.T, midFrame, now bool, big []byte) {
	ours, peer := loopback(t)
	ws := New(ours, nil, frame.Server, &Options{CloseTimeout: 100 * time.Millisecond, ReadLimit: 1 << 20})
	errc := make(chan error, 1)
	go func() {
		_, err := ws.Receive(context.Background())
		errc <- err
	}()
	eventually(t, "the waiting Receive reads", func() bool { return ws.readingState() == rdReceiver })
	if midFrame {
		// Half a large frame: the Receive call waits in the
		// middle of its payload.
		if _, err := peer.Write(big[:len(big)/2]); err != nil {
			t.Fatal(err)
		}
		// Give it time to read them (the reader's state is its own:
		// the test cannot look without a race).
		time.Sleep(20 * time.Millisecond)
	}
	if now {
		ws.CloseNow()
	} else {
		ws.Close(StatusNormalClosure, "")
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("Receive = %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Receive still blocked after the close")
	}
	select {
	case <-ws.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed")
	}
}

// BenchmarkEchoTCP measures a server echo loop (Receive, then Send) over
// loopback TCP with one message in flight, the bench harness's ping-pong
// scenario in miniature, beside a yardstick that echoes the same frames as
// raw bytes (read, write): the syscalls and wake-ups any library pays. With
// the reading done by the waiting Receive, an echo costs no goroutine
// hand-off.
func BenchmarkEchoTCP(b *testing.B) {
	for _, size := range []int{16, 4096} {
		f := clientFrame(true, frame.OpBinary, make([]byte, size))
		// The echo is unmasked: 4 bytes shorter.
		echoLen := len(f) - 4
		client := func(b *testing.B, peer net.Conn, n int) {
			buf := make([]byte, 64<<10)
			for b.Loop() {
				if _, err := peer.Write(f); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(peer, buf[:n]); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.Run(fmt.Sprintf("Receive_Send/%d", size), func(b *testing.B) {
			ours, peer := loopback(b)
			ws := New(ours, nil, frame.Server, nil)
			defer ws.CloseNow()
			go func() {
				ctx := context.Background()
				for {
					m, err := ws.Receive(ctx)
					if err != nil {
						return
					}
					if ws.Send(ctx, m.Type, m.Data) != nil {
						return
					}
				}
			}()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			client(b, peer, echoLen)
		})
		b.Run(fmt.Sprintf("yardstick_raw_echo/%d", size), func(b *testing.B) {
			ours, peer := loopback(b)
			go func() {
				buf := make([]byte, 64<<10)
				for {
					n, err := ours.Read(buf)
					if err != nil {
						return
					}
					if _, err := ours.Write(buf[:n]); err != nil {
						return
					}
				}
			}()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			client(b, peer, len(f))
		})
	}
}

// A Receive call that comes while the background reader fills the queue
// gets every message: the reader may be blocked on a full queue, where no
// poke reaches it, so the waiting call looks at the queue again rather than
// wait for the reading (a bench pipeline once hung here).
func TestReceiveWhileBackgroundQueues(t *testing.T) {
	ours, peer := loopback(t)
	ws := New(ours, nil, frame.Server, &Options{QueueSize: 4})
	defer ws.CloseNow()
	const n = 20000
	go func() {
		var b []byte
		for i := range n {
			b = append(b, clientFrame(true, frame.OpBinary, []byte{byte(i), byte(i >> 8)})...)
			if len(b) > 4096 || i == n-1 {
				if _, err := peer.Write(b); err != nil {
					return
				}
				b = b[:0]
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := range n {
		if i%500 == 0 {
			time.Sleep(15 * time.Millisecond) // away: the background reader takes over
		}
		m, err := ws.Receive(ctx)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if got := int(m.Data[0]) | int(m.Data[1])<<8; got != i&0xffff {
			t.Fatalf("message %d: got %d", i, got)
		}
	}
}

// TestReadingLockHandsOver: goroutines that wait for the reading all get it,
// one at a time, whoever lets go and however the cue and the tries
// interleave; a connection nobody waited on never made the cue's channel.
func TestReadingLockHandsOver(t *testing.T) {
	ours, _ := loopback(t)
	c := New(ours, nil, frame.Server, nil)
	defer c.CloseNow()
	if !c.tryReading() {
		t.Fatal("a new connection's reading is taken")
	}
	if c.reading.wake.Load() != nil {
		t.Fatal("the cue's channel exists before anybody waited")
	}
	const waiters, rounds = 8, 200
	var inside atomic.Int32
	errs := make(chan error, waiters)
	for range waiters {
		go func() {
			for range rounds {
				if err := c.waitReading(context.Background(), false); err != nil {
					errs <- err
					return
				}
				if n := inside.Add(1); n != 1 {
					errs <- fmt.Errorf("%d holders at once", n)
					return
				}
				inside.Add(-1)
				c.reading.unlock()
			}
			errs <- nil
		}()
	}
	deadline := time.After(10 * time.Second)
	for c.reading.waiting.Load() < waiters { // all of them wait before anybody lets go
		select {
		case err := <-errs:
			t.Fatalf("a waiter returned while the reading was held: %v", err)
		case <-deadline:
			t.Fatalf("%d of %d goroutines wait", c.reading.waiting.Load(), waiters)
		default:
			runtime.Gosched()
		}
	}
	if c.reading.wake.Load() == nil {
		t.Fatal("goroutines wait without the cue's channel")
	}
	c.reading.unlock() // the first holder lets go
	for range waiters {
		select {
		case err := <-errs:
			if err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatalf("a waiter never got the reading (%d waiting)", c.reading.waiting.Load())
		}
	}
}
