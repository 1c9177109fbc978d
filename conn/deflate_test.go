package conn_test

import (
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// agreed returns Options for one side of a permessage-deflate agreement d.
func agreed(d handshake.Deflate, c *conn.Compression) *conn.Options {
	return &conn.Options{Deflate: &d, Compression: c, ReadLimit: 4 << 20}
}

// jsonish returns n bytes of text that compresses like JSON does.
func jsonish(n, seed int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `{"id":%d,"name":"user-%d","tags":["a","b"],"ok":true},`, i*seed, i%97)
	}
	return b.Bytes()[:n]
}

// RFC 7692 §7.2: messages of every size cross in both directions and come
// out as sent, whether each side keeps its context or not and whatever the
// windows, over every transport.
func TestDeflateRoundTrip(t *testing.T) {
	sizes := []int{0, 1, 100, 511, 512, 4 << 10, 16<<10 + 1, 100 << 10, 1 << 20}
	agreements := []struct {
		name string
		d    handshake.Deflate
		c    *conn.Compression
	}{
		{"no takeover", handshake.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, nil},
		{"takeover both ways", handshake.Deflate{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, &conn.Compression{ContextTakeover: true, PeerContextTakeover: true}},
		{"peer takeover only", handshake.Deflate{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, &conn.Compression{PeerContextTakeover: true}},
		{"windows of 9 bits", handshake.Deflate{ServerMaxWindowBits: 9, ClientMaxWindowBits: 9}, &conn.Compression{ContextTakeover: true, PeerContextTakeover: true}},
		{"every message compressed", handshake.Deflate{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}, &conn.Compression{Threshold: -1, Level: flate.BestCompression}},
	}
	for _, ag := range agreements {
		t.Run(ag.name, func(t *testing.T) {
			o := agreed(ag.d, ag.c)
			forPairs(t, o, o, func(t *testing.T, a, b *conn.Conn) {
				ctx := testCtx(t, 30*time.Second)
				var want []conn.Message
				for i, n := range sizes {
					typ := conn.Text
					if i%2 == 1 {
						typ = conn.Binary
					}
					want = append(want, conn.Message{Type: typ, Data: jsonish(n, i+1)})
				}
				go func() {
					for _, m := range want {
						if err := a.Send(ctx, m.Type, m.Data); err != nil {
							t.Errorf("Send %d bytes: %v", len(m.Data), err)
							return
						}
					}
				}()
				for _, w := range want {
					got, err := b.Receive(ctx)
					if err != nil {
						t.Fatalf("Receive (%d bytes expected): %v", len(w.Data), err)
					}
					if got.Type != w.Type || !bytes.Equal(got.Data, w.Data) {
						t.Fatalf("got %v %d bytes %q, want %v %d bytes", got.Type, len(got.Data), trunc(got.Data), w.Type, len(w.Data))
					}
				}
			}, pipePairs, tcpPairs)
		})
	}
}

// RFC 7692 §6: a compressed message has RSV1 on its first frame only, and
// its payload is the DEFLATE data without the sync flush's tail (§7.2.1); a
// payload below the threshold goes out as it is, without RSV1.
func TestDeflateOnTheWire(t *testing.T) {
	d := handshake.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
	forRaw(t, agreed(d, nil), func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		ctx := testCtx(t, 10*time.Second)
		big := jsonish(4096, 3)
		if err := ws.Send(ctx, conn.Text, big); err != nil {
			t.Fatal(err)
		}
		if err := ws.SendText(ctx, "small"); err != nil {
			t.Fatal(err)
		}
		f := p.next(t, 5*time.Second)
		if !f.RSV1 || f.Opcode != frame.OpText || !f.Fin {
			t.Fatalf("compressed frame: header %+v, want RSV1, text, fin", f.Header)
		}
		if len(f.Payload) >= len(big)/4 {
			t.Errorf("4 KiB of JSON compressed to %d bytes", len(f.Payload))
		}
		if bytes.HasSuffix(f.Payload, []byte{0, 0, 0xff, 0xff}) {
			t.Error("payload keeps the sync flush's tail")
		}
		inflated := inflateRaw(t, f.Payload)
		if diff := cmp.Diff(string(big), string(inflated)); diff != "" {
			t.Errorf("inflated payload (-sent +wire):\n%s", diff)
		}
		f = p.next(t, 5*time.Second)
		if f.RSV1 || string(f.Payload) != "small" {
			t.Errorf("small message: RSV1=%v payload %q, want it as it is", f.RSV1, f.Payload)
		}
	})
}

// inflateRaw inflates a message payload as a peer would.
func inflateRaw(t *testing.T, p []byte) []byte {
	t.Helper()
	r := flate.NewReader(bytes.NewReader(append(p, 0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff)))
	var out bytes.Buffer
	if _, err := out.ReadFrom(r); err != nil {
		t.Fatalf("inflate: %v", err)
	}
	return out.Bytes()
}

// deflateRaw compresses p as one message, as a peer without context
// takeover would.
func deflateRaw(p []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestSpeed)
	w.Write(p)
	w.Flush()
	return bytes.TrimSuffix(b.Bytes(), []byte{0, 0, 0xff, 0xff})
}

// What a peer's compressed frames may and may not do: RSV1 on a
// continuation or control frame is a protocol error (RFC 7692 §6, 1002);
// data that does not inflate fails with 1007; inflated text must be UTF-8
// (1007); a message compressed over several frames is put together first.
func TestDeflateReceive(t *testing.T) {
	d := handshake.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
	hdr := func(p *rawPeer, h frame.Header) frame.Header {
		h.Masked = p.client
		if p.client {
			h.Key = randomKey()
		}
		return h
	}
	t.Run("fragmented", func(t *testing.T) {
		forRaw(t, agreed(d, nil), func(t *testing.T, ws *conn.Conn, p *rawPeer) {
			msg := jsonish(10000, 7)
			z := deflateRaw(msg)
			half := len(z) / 2
			p.write(build(hdr(p, frame.Header{Opcode: frame.OpText, RSV1: true}), z[:half]))
			p.write(build(hdr(p, frame.Header{Fin: true, Opcode: frame.OpPing}), []byte("x")))
			p.write(build(hdr(p, frame.Header{Fin: true, Opcode: frame.OpContinuation}), z[half:]))
			expectMessage(t, ws, conn.Text, string(msg))
		})
	})
	bad := []struct {
		name   string
		frames func(p *rawPeer) []byte
		code   frame.StatusCode
	}{
		{"RSV1 on a continuation frame", func(p *rawPeer) []byte {
			z := deflateRaw([]byte("hello hello hello"))
			return append(build(hdr(p, frame.Header{Opcode: frame.OpText, RSV1: true}), z[:2]),
				build(hdr(p, frame.Header{Fin: true, RSV1: true, Opcode: frame.OpContinuation}), z[2:])...)
		}, frame.StatusProtocolError},
		{"RSV1 on a ping", func(p *rawPeer) []byte {
			return build(hdr(p, frame.Header{Fin: true, RSV1: true, Opcode: frame.OpPing}), nil)
		}, frame.StatusProtocolError},
		{"data that does not inflate", func(p *rawPeer) []byte {
			return build(hdr(p, frame.Header{Fin: true, RSV1: true, Opcode: frame.OpBinary}), []byte{0xff, 0xff, 0xff, 0xff})
		}, frame.StatusInvalidFramePayloadData},
		{"inflated text not UTF-8", func(p *rawPeer) []byte {
			return build(hdr(p, frame.Header{Fin: true, RSV1: true, Opcode: frame.OpText}), deflateRaw([]byte("ok \xff\xfe not ok")))
		}, frame.StatusInvalidFramePayloadData},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			forRaw(t, agreed(d, nil), func(t *testing.T, ws *conn.Conn, p *rawPeer) {
				p.startReading()
				p.sendAsync(tt.frames(p))
				if err := receiveErr(t, ws); err == nil {
					t.Fatal("Receive succeeded")
				}
				p.expectClose(t, tt.code)
			})
		})
	}
}

// The read limit counts inflated bytes: a decompression bomb (1 GiB of
// zeros in about 1 MiB) is refused at the limit with 1009, and inflating
// stops there, having allocated a few times the limit, not the bomb.
func TestDeflateBomb(t *testing.T) {
	// Independent DEFLATE blocks may follow each other: 1024 copies of one
	// MiB of zeros compressed alone inflate to 1 GiB.
	one := deflateRaw(make([]byte, 1<<20))
	bomb := bytes.Repeat(append(one, 0, 0, 0xff, 0xff), 1024)
	d := handshake.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
	for _, limit := range []int64{1 << 20, 4 << 20} {
		t.Run(fmt.Sprintf("limit %d MiB", limit>>20), func(t *testing.T) {
			ws, p := newRaw(t, tcpTransport, frame.Server, &conn.Options{Deflate: &d, ReadLimit: max(limit, int64(len(bomb)))})
			p.startReading()
			wire := build(frame.Header{Fin: true, RSV1: true, Opcode: frame.OpBinary, Masked: true, Key: randomKey()}, bomb)
			var err error
			n := allocated(func() {
				p.sendAsync(wire)
				err = receiveErr(t, ws)
			})
			if err == nil {
				t.Fatal("Receive succeeded")
			}
			p.expectClose(t, frame.StatusMessageTooBig)
			t.Logf("compressed %d bytes; allocated %.1f MiB", len(bomb), float64(n)/(1<<20))
			if n > 16<<20 {
				t.Errorf("allocated %.1f MiB, want < 16", float64(n)/(1<<20))
			}
		})
	}
}

// ReadLimit is a limit on messages, not on their compressed form: a message
// of exactly ReadLimit bytes that does not compress, and so takes a few
// bytes more on the wire, is received; one byte more is refused with 1009,
// compressed or not.
func TestDeflateReadLimitCountsMessages(t *testing.T) {
	const limit = 64 << 10
	d := handshake.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7919 + i*i*31 + i>>3)
		}
		return b
	}
	stored := func(p []byte) []byte { // DEFLATE's stored blocks: larger than p
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.NoCompression)
		w.Write(p)
		w.Flush()
		return bytes.TrimSuffix(b.Bytes(), []byte{0, 0, 0xff, 0xff})
	}
	tests := []struct {
		name string
		size int
		rsv1 bool
		ok   bool
	}{
		{"compressed, ReadLimit bytes", limit, true, true},
		{"compressed, one byte more", limit + 1, true, false},
		{"uncompressed, ReadLimit bytes", limit, false, true},
		{"uncompressed, one byte more", limit + 1, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, p := newRaw(t, tcpTransport, frame.Server, &conn.Options{Deflate: &d, ReadLimit: limit})
			p.startReading()
			msg := random(tt.size)
			payload := msg
			if tt.rsv1 {
				payload = stored(msg)
				if len(payload) <= len(msg) {
					t.Fatalf("stored blocks of %d bytes take %d", len(msg), len(payload))
				}
			}
			p.sendAsync(build(frame.Header{Fin: true, RSV1: tt.rsv1, Opcode: frame.OpBinary, Masked: true, Key: randomKey()}, payload))
			if !tt.ok {
				if err := receiveErr(t, ws); err == nil {
					t.Fatal("Receive succeeded")
				}
				p.expectClose(t, frame.StatusMessageTooBig)
				return
			}
			got := receive(t, ws)
			if !bytes.Equal(got.Data, msg) {
				t.Fatalf("got %d bytes, want the %d sent", len(got.Data), len(msg))
			}
		})
	}
}

// With context takeover, a Send that gives up before its message is queued
// must not leave our compressor remembering bytes the peer never saw: every
// later message still inflates (RFC 7692 §7.2.3).
func TestDeflateTakeoverAfterSendGivesUp(t *testing.T) {
	d := handshake.Deflate{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
	o := &conn.Options{Deflate: &d, Compression: &conn.Compression{ContextTakeover: true, PeerContextTakeover: true}, QueueSize: 1}
	a, b := newPair(t, pipeTransport, frame.Server, o, o)
	var sent [][]byte
	gaveUp := false
	for i := 0; i < 1000 && !gaveUp; i++ {
		// Distinct messages, so that each refers back to the ones before.
		msg := jsonish(4096, i+1)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		err := a.Send(ctx, conn.Text, msg)
		cancel()
		switch {
		case err == nil:
			sent = append(sent, msg)
		case errors.Is(err, context.DeadlineExceeded):
			gaveUp = true // b reads nothing: the output buffer filled up
		default:
			t.Fatalf("Send: %v", err)
		}
	}
	if !gaveUp {
		t.Fatal("no Send gave up: nothing exercised")
	}
	ctx := testCtx(t, 10*time.Second)
	var tail [][]byte
	for i := range 5 {
		tail = append(tail, jsonish(4096, 2000+i))
	}
	sent = append(sent, tail...)
	go func() {
		for _, msg := range tail { // behind the backlog, which b now reads
			if err := a.Send(ctx, conn.Text, msg); err != nil {
				t.Errorf("Send: %v", err)
				return
			}
		}
	}()
	for i, want := range sent {
		got, err := b.Receive(ctx)
		if err != nil {
			t.Fatalf("message %d of %d: %v", i, len(sent), err)
		}
		if !bytes.Equal(got.Data, want) {
			t.Fatalf("message %d of %d differs", i, len(sent))
		}
	}
}
