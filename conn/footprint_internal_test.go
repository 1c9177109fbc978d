package conn

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/seed865a0254/websocket/frame"
)

// maxConnSize guards the idle footprint: the Conn struct is most of what the
// library itself keeps per idle connection (issue 7). The Go allocator puts
// an 8-byte type header before an object with pointers larger than 512
// bytes, so 568 bytes take the 576-byte size class; 576 would take 640.
const maxConnSize = 568

func TestConnSize(t *testing.T) {
	if got := unsafe.Sizeof(Conn{}); got > maxConnSize {
		t.Fatalf("unsafe.Sizeof(Conn{}) = %d, want <= %d (idle memory per connection)", got, maxConnSize)
	}
}

// TestConnAllocation measures what allocating a Conn costs, header and size
// class included, which TestConnSize reasons about.
func TestConnAllocation(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation sizes")
	}
	sink := make([]*Conn, 0, 1000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 1000 {
		sink = append(sink, new(Conn))
	}
	runtime.ReadMemStats(&after)
	// Other goroutines allocate a little meanwhile: the bound lies between
	// the classes, 576 and 640.
	per := (after.TotalAlloc - before.TotalAlloc) / 1000
	if per >= 608 {
		t.Fatalf("a Conn costs about %d bytes to allocate, want the 576-byte size class", per)
	}
	runtime.KeepAlive(sink)
}

// transportPair returns a connected pair over loopback TCP, or net.Pipe.
func transportPair(t *testing.T, tcp bool) (ours, peer net.Conn) {
	if tcp {
		return loopback(t)
	}
	ours, peer = net.Pipe()
	t.Cleanup(func() { ours.Close(); peer.Close() })
	return ours, peer
}

// TestSmallBufferOnlyWhenNeeded exchanges a message, a masked ping and its
// pong over each transport, then checks which connections allocated the
// small read buffer: on TCP the reader waits for readability without one, and
// the first Receive call (which reads itself) completes even a partial frame
// left over from the handshake in the big buffer; net.Pipe waits in a read
// into it.
func TestSmallBufferOnlyWhenNeeded(t *testing.T) {
	msg := clientFrame(true, frame.OpText, []byte("hello"))
	ping := bytes.Repeat([]byte{0xa5, 0x5a, 7}, 41) // 123 bytes, masked on the wire
	tests := []struct {
		name      string
		tcp       bool
		leftover  []byte // handshake leftover given to New
		wantSmall bool
	}{
		{name: "tcp", tcp: true, wantSmall: false},
		{name: "tcp, whole frame left over", tcp: true, leftover: msg, wantSmall: false},
		{name: "tcp, partial header left over", tcp: true, leftover: msg[:1], wantSmall: false},
		{name: "pipe", tcp: false, wantSmall: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, peer := transportPair(t, tt.tcp)
			ws := New(ours, bytes.Clone(tt.leftover), frame.Server, nil)
			defer ws.CloseNow()
			br := bufio.NewReader(peer)
			errc := make(chan error, 1)
			go func() {
				var out []byte
				switch {
				case len(tt.leftover) == 0:
					out = append(out, msg...)
				case len(tt.leftover) < len(msg):
					out = append(out, msg[len(tt.leftover):]...)
				}
				out = append(out, clientFrame(true, frame.OpPing, ping)...)
				_, err := peer.Write(out)
				errc <- err
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			m, err := ws.Receive(ctx)
			if err != nil || m.Text() != "hello" {
				t.Fatalf("Receive = %q, %v; want hello", m.Text(), err)
			}
			peer.SetReadDeadline(time.Now().Add(5 * time.Second))
			hdr := make([]byte, 2)
			if _, err := io.ReadFull(br, hdr); err != nil {
				t.Fatalf("reading the pong: %v", err)
			}
			if op := frame.Opcode(hdr[0] & 0x0f); op != frame.OpPong || int(hdr[1]) != len(ping) {
				t.Fatalf("got opcode %v length %d, want a pong of %d bytes", op, hdr[1], len(ping))
			}
			got := make([]byte, len(ping))
			if _, err := io.ReadFull(br, got); err != nil || !bytes.Equal(got, ping) {
				t.Fatalf("pong payload %x, %v; want %x", got, err, ping)
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			ws.CloseNow()
			<-ws.Done() // the reader has finished with c.rd
			if got := ws.in.small != nil; got != tt.wantSmall {
				t.Fatalf("small buffer allocated: %v, want %v", got, tt.wantSmall)
			}
		})
	}
}

// outputBuffers reports whether the connection holds an output buffer.
func (c *Conn) outputBuffers() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out != nil || c.spare != nil
}

// TestIdleHoldsNoWriteBuffer: the spare output buffer a connection may keep
// while bytes flow is given back once the connection is idle, whether the
// last write echoed a message (the reader then finds the socket empty) or
// was sent while the reader already waited.
func TestIdleHoldsNoWriteBuffer(t *testing.T) {
	tests := []struct {
		name string
		tcp  bool
		echo bool // receive a message, then send; else only send
	}{
		{name: "tcp echo", tcp: true, echo: true},
		{name: "tcp send while the reader waits", tcp: true, echo: false},
		{name: "pipe echo", tcp: false, echo: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, peer := transportPair(t, tt.tcp)
			ws := New(ours, nil, frame.Server, nil)
			defer ws.CloseNow()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			const rounds = 20
			got := make(chan error, rounds)
			go func() {
				br := bufio.NewReader(peer)
				for range rounds {
					_, err := io.ReadFull(br, make([]byte, 4+4096))
					got <- err
				}
			}()
			peer.SetReadDeadline(time.Now().Add(5 * time.Second))
			for i := range rounds {
				if tt.echo {
					go peer.Write(clientFrame(true, frame.OpBinary, bytes.Repeat([]byte{byte(i)}, 4096)))
					if _, err := ws.Receive(ctx); err != nil {
						t.Fatalf("Receive: %v", err)
					}
				}
				if err := ws.Send(ctx, Binary, bytes.Repeat([]byte{byte(i)}, 4096)); err != nil {
					t.Fatalf("Send: %v", err)
				}
				if err := <-got; err != nil {
					t.Fatalf("reading the message: %v", err)
				}
			}
			eventually(t, "the output buffers go back to the pool", func() bool { return !ws.outputBuffers() })
		})
	}
}

// A quiet connection whose application waits in Receive holds no idle timer
// (its timer goes once it finds nothing to do) and no Done channel until
// Done is called; Done still works when first called after the end.
func TestQuietConnectionHoldsNoTimerNorDone(t *testing.T) {
	ours, peer := loopback(t)
	ws := New(ours, nil, frame.Server, nil)
	errc := make(chan error, 1)
	got := make(chan string, 1)
	go func() {
		for {
			m, err := ws.Receive(context.Background())
			if err != nil {
				errc <- err
				return
			}
			got <- m.Text()
		}
	}()
	if _, err := peer.Write(clientFrame(true, frame.OpText, []byte("hi"))); err != nil {
		t.Fatal(err)
	}
	if m := <-got; m != "hi" {
		t.Fatalf("Receive = %q, want hi", m)
	}
	// The call that returned "hi" read it (and armed the idle timer); the
	// next one reads again, and nothing more comes.
	eventually(t, "the quiet connection drops its idle timer", func() bool {
		return ws.idle.Load() == nil && ws.readingState() == rdReceiver
	})
	ws.mu.Lock()
	made := ws.done != nil
	ws.mu.Unlock()
	if made {
		t.Fatal("the Done channel exists before anyone asked for it")
	}
	ws.CloseNow()
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("Receive = %v, want ErrClosed", err)
	}
	select {
	case <-ws.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done, first called after the end, is not closed")
	}
}
