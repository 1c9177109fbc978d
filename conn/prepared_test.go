package conn_test

import (
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

func prepare(t *testing.T, typ conn.MessageType, data []byte) *conn.PreparedMessage {
	t.Helper()
	p, err := conn.Prepare(typ, data)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return p
}

// A prepared message goes out as Send would send it: a server's frames
// unmasked, a client's masked with a fresh key per frame (RFC 6455 §5.3:
// "The masking key is a 32-bit value chosen at random by the client"), and
// the payload is the one given to Prepare, even if the caller changes its
// slice afterwards.
func TestSendPreparedOnTheWire(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		data := []byte("the same message, every time")
		msg := prepare(t, conn.Text, data)
		copy(data, "XXX")
		ctx := testCtx(t, soon)
		const n = 8
		for range n {
			if err := ws.SendPrepared(ctx, msg); err != nil {
				t.Fatalf("SendPrepared: %v", err)
			}
		}
		keys := map[[4]byte]bool{}
		for i := range n {
			f := p.next(t, soon) // readFrame unmasks, and refuses a wrong masking direction
			if f.Opcode != frame.OpText || !f.Fin || f.RSV1 {
				t.Fatalf("frame %d: header %+v, want a whole text frame without RSV1", i, f.Header)
			}
			if diff := cmp.Diff("the same message, every time", string(f.Payload)); diff != "" {
				t.Fatalf("frame %d payload (-want +got):\n%s", i, diff)
			}
			keys[f.Key] = true
		}
		if p.client {
			return // ours is the server: frames are unmasked (checked by readFrame)
		}
		if len(keys) != n {
			t.Errorf("%d frames went out with %d distinct masking keys, want one per frame", n, len(keys))
		}
	})
}

// permessage-deflate without context takeover: the compressed payload is the
// same on every connection at the same level, so it is made once and shared;
// it inflates to the message; below the threshold the message goes as it
// is. A window below 15 bits (Huffman-only output) is honoured too.
func TestSendPreparedDeflate(t *testing.T) {
	big := jsonish(8<<10, 7)
	for _, bits := range []int{15, 9} {
		d := handshake.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: bits, ClientMaxWindowBits: bits}
		t.Run(map[int]string{15: "window 15", 9: "window 9"}[bits], func(t *testing.T) {
			msg := prepare(t, conn.Binary, big)
			small := prepare(t, conn.Text, []byte("small"))
			var payloads [][]byte
			forRaw(t, agreed(d, nil), func(t *testing.T, ws *conn.Conn, p *rawPeer) {
				p.startReading()
				ctx := testCtx(t, soon)
				for _, m := range []*conn.PreparedMessage{msg, small, msg} {
					if err := ws.SendPrepared(ctx, m); err != nil {
						t.Fatalf("SendPrepared: %v", err)
					}
				}
				for i, want := range [][]byte{big, []byte("small"), big} {
					f := p.next(t, soon)
					compressed := len(want) >= conn.DefaultCompressionThreshold
					if f.RSV1 != compressed {
						t.Fatalf("frame %d: RSV1 %v, want %v", i, f.RSV1, compressed)
					}
					got := f.Payload
					if compressed {
						payloads = append(payloads, f.Payload)
						if len(f.Payload) >= len(want)*3/4 {
							t.Errorf("frame %d: %d bytes compressed to %d", i, len(want), len(f.Payload))
						}
						got = inflateRaw(t, f.Payload)
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("frame %d: %d bytes %q, want %d bytes", i, len(got), trunc(got), len(want))
					}
				}
			}, tcpTransport)
			for i, pl := range payloads {
				if !bytes.Equal(pl, payloads[0]) {
					t.Errorf("compressed payload %d differs from the first (%d and %d bytes): not shared", i, len(pl), len(payloads[0]))
				}
			}
		})
	}
}

// With context takeover the connection compresses a prepared message in its
// own stream: the second copy refers to the first, so it is much smaller,
// and both arrive whole (the peer's inflater keeps its window).
func TestSendPreparedDeflateTakeover(t *testing.T) {
	d := handshake.Deflate{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
	o := agreed(d, &conn.Compression{ContextTakeover: true, PeerContextTakeover: true})
	big := jsonish(6<<10, 3)
	msg := prepare(t, conn.Text, big)
	forRaw(t, o, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		ctx := testCtx(t, soon)
		for range 2 {
			if err := ws.SendPrepared(ctx, msg); err != nil {
				t.Fatalf("SendPrepared: %v", err)
			}
		}
		first, second := p.next(t, soon), p.next(t, soon)
		if !first.RSV1 || !second.RSV1 {
			t.Fatalf("RSV1 %v, %v: want both compressed", first.RSV1, second.RSV1)
		}
		// Compressed afresh it would be as long as the first.
		if len(second.Payload) >= len(first.Payload)/2 {
			t.Errorf("second copy is %d bytes, the first %d: no context kept", len(second.Payload), len(first.Payload))
		}
		// Inflate both as one stream, as the peer does with context takeover.
		var stream []byte
		stream = append(stream, first.Payload...)
		stream = append(stream, 0, 0, 0xff, 0xff)
		stream = append(stream, second.Payload...)
		stream = append(stream, 0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff)
		got, err := io.ReadAll(flate.NewReader(bytes.NewReader(stream)))
		if err != nil {
			t.Fatalf("inflate: %v", err)
		}
		if want := append(append([]byte(nil), big...), big...); !bytes.Equal(got, want) {
			t.Fatalf("inflated %d bytes, want %d", len(got), len(want))
		}
	}, tcpTransport)
}

// Between two of our connections, with compression on and off, prepared
// messages of every size arrive as sent, mixed with ordinary ones.
func TestSendPreparedRoundTrip(t *testing.T) {
	d := handshake.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
	for _, o := range []struct {
		name string
		opts *conn.Options
	}{{"plain", nil}, {"deflate", agreed(d, nil)}} {
		t.Run(o.name, func(t *testing.T) {
			forPairs(t, o.opts, o.opts, func(t *testing.T, a, b *conn.Conn) {
				ctx := testCtx(t, 10*time.Second)
				sizes := []int{0, 125, 126, 4 << 10, 16<<10 + 1, 200 << 10}
				go func() {
					for i, n := range sizes {
						if err := a.SendPrepared(ctx, prepare(t, conn.Binary, jsonish(n, i+1))); err != nil {
							t.Errorf("SendPrepared %d bytes: %v", n, err)
							return
						}
						if err := a.SendText(ctx, "between"); err != nil {
							t.Errorf("SendText: %v", err)
							return
						}
					}
				}()
				for i, n := range sizes {
					msg := receive(t, b)
					if msg.Type != conn.Binary || !bytes.Equal(msg.Data, jsonish(n, i+1)) {
						t.Fatalf("message %d: %v %d bytes, want binary %d bytes", i, msg.Type, len(msg.Data), n)
					}
					expectMessage(t, b, conn.Text, "between")
				}
			}, pipePairs, tcpPairs)
		})
	}
}

// SendPrepared keeps Send's rule when its context ends: a send that cannot
// get into the output buffer in time returns the context's error, sends
// nothing, and leaves the connection usable.
func TestSendPreparedContext(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		msg := prepare(t, conn.Binary, bytes.Repeat([]byte("z"), 4<<10))
		// The peer reads nothing: the socket fills, then the output buffer.
		var queued int
		for {
			ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
			err := ws.SendPrepared(ctx, msg)
			cancel()
			if err != nil {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("SendPrepared: %v, want an error matching context.DeadlineExceeded", err)
				}
				break
			}
			if queued++; queued > 10000 {
				t.Fatal("SendPrepared never waited for a peer that reads nothing")
			}
		}
		if isDone(ws) {
			t.Fatal("a SendPrepared that gave up ended the connection")
		}
		last := prepare(t, conn.Text, []byte("last"))
		sent := make(chan error, 1)
		go func() { sent <- ws.SendPrepared(testCtx(t, 10*time.Second), last) }()
		p.startReading()
		for i := 0; ; i++ {
			f := p.next(t, soon)
			if f.Opcode == frame.OpText {
				if string(f.Payload) != "last" || i != queued {
					t.Fatalf("after %d whole binary frames: %q, want \"last\" after %d", i, f.Payload, queued)
				}
				break
			}
			if !f.Fin || len(f.Payload) != 4<<10 {
				t.Fatalf("frame %d: fin %v, %d bytes: not the whole message", i, f.Fin, len(f.Payload))
			}
		}
		if err := <-sent; err != nil {
			t.Fatalf("SendPrepared after the wait: %v", err)
		}
	}, tcpTransport)
}

// Misuse returns errors, never panics.
func TestPreparedMisuse(t *testing.T) {
	if _, err := conn.Prepare(conn.Text, []byte{0xff}); err == nil {
		t.Error("Prepare of invalid UTF-8 text: no error")
	}
	if _, err := conn.Prepare(conn.MessageType(9), nil); err == nil {
		t.Error("Prepare of type 9: no error")
	}
	a, _ := newPair(t, pipeTransport, frame.Server, nil, nil)
	if err := a.SendPrepared(context.Background(), nil); err == nil {
		t.Error("SendPrepared(nil message): no error")
	}
	var noCtx context.Context
	if err := a.SendPrepared(noCtx, prepare(t, conn.Text, nil)); err == nil {
		t.Error("SendPrepared(nil context): no error")
	}
	a.CloseNow()
	if err := a.SendPrepared(context.Background(), prepare(t, conn.Text, nil)); !errors.Is(err, conn.ErrClosed) {
		t.Errorf("SendPrepared after CloseNow: %v, want ErrClosed", err)
	}
}
