package conn_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/ping"
)

// Send puts one whole message on the wire with the right opcode; empty
// messages are messages too.
func TestSendFrames(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		ctx := testCtx(t, soon)
		cases := []struct {
			name string
			send func() error
			op   frame.Opcode
			data string
		}{
			{"Send text", func() error { return ws.Send(ctx, conn.Text, []byte("Olá!")) }, frame.OpText, "Olá!"},
			{"Send binary", func() error { return ws.Send(ctx, conn.Binary, []byte{0, 0xff}) }, frame.OpBinary, "\x00\xff"},
			{"SendText", func() error { return ws.SendText(ctx, "text") }, frame.OpText, "text"},
			{"SendBinary", func() error { return ws.SendBinary(ctx, []byte("bin")) }, frame.OpBinary, "bin"},
			{"empty text", func() error { return ws.SendText(ctx, "") }, frame.OpText, ""},
			{"empty binary", func() error { return ws.SendBinary(ctx, nil) }, frame.OpBinary, ""},
			{"binary not UTF-8", func() error { return ws.SendBinary(ctx, []byte{0xc0, 0xaf}) }, frame.OpBinary, "\xc0\xaf"},
		}
		for _, tc := range cases {
			if err := tc.send(); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			f := p.next(t, soon)
			if f.Opcode != tc.op || !f.Fin || string(f.Payload) != tc.data || f.RSV1 || f.RSV2 || f.RSV3 {
				t.Fatalf("%s: wire frame %+v %q, want one %v frame %q", tc.name, f.Header, f.Payload, tc.op, tc.data)
			}
		}
	})
}

// The caller owns the slice it sends: a client masks a copy, never the
// caller's bytes (issue 5, "masking goes into a reused buffer").
func TestSendLeavesCallerData(t *testing.T) {
	forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
		data := []byte("do not touch these bytes")
		orig := bytes.Clone(data)
		if err := a.SendBinary(testCtx(t, soon), data); err != nil {
			t.Fatalf("SendBinary: %v", err)
		}
		expectMessage(t, b, conn.Binary, string(orig))
		if !bytes.Equal(data, orig) {
			t.Fatalf("Send changed the caller's slice to %q", data)
		}
	}, pipePairs)
}

// A Text message that is not valid UTF-8 is an error and nothing is sent
// (RFC 6455 §5.6 "The 'Payload data' is text data encoded as UTF-8"; issue 5,
// item 7).
func TestSendInvalidUTF8(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		ctx := testCtx(t, soon)
		if err := ws.Send(ctx, conn.Text, []byte("caf\xe9")); err == nil {
			t.Fatal("Send(Text, invalid UTF-8) = nil")
		}
		if err := ws.SendText(ctx, "truncated \xe2\x82"); err == nil {
			t.Fatal("SendText(truncated sequence) = nil")
		}
		if err := ws.SendText(ctx, "surrogate \xed\xa0\x80"); err == nil {
			t.Fatal("SendText(surrogate) = nil")
		}
		p.expectSilence(t, 50*time.Millisecond)
		if err := ws.SendText(ctx, "valid"); err != nil {
			t.Fatalf("SendText after refused messages: %v", err)
		}
		if f := p.next(t, soon); f.Opcode != frame.OpText || string(f.Payload) != "valid" {
			t.Fatalf("first frame on the wire: %v %q, want text %q", f.Opcode, f.Payload, "valid")
		}
	})
}

// Writer(ctx, Text) checks UTF-8 across writes: a rune split between two
// Writes is fine, an impossible sequence fails the message (issue 5, item 7).
func TestWriterUTF8(t *testing.T) {
	cases := []struct {
		name  string
		parts []string
		ok    bool
	}{
		{"rune split across writes", []string{"caf\xc3", "\xa9 ", "\xe2\x82", "\xac", "\xf0\x9f", "\x98", "\x80"}, true},
		{"ascii in pieces", []string{"a", "", "bc"}, true},
		{"impossible second byte", []string{"ok \xc3", "("}, false},
		{"above U+10FFFF across writes", []string{"\xf4", "\x90\x80\x80"}, false},
		{"unfinished at Close", []string{"euro \xe2\x82"}, false},
		{"invalid in one write", []string{"\xff"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
				w, err := a.Writer(testCtx(t, soon), conn.Text)
				if err != nil {
					t.Fatalf("Writer: %v", err)
				}
				var firstErr error
				for _, part := range tc.parts {
					if _, err := w.Write([]byte(part)); err != nil {
						firstErr = err
						break
					}
				}
				if err := w.Close(); firstErr == nil {
					firstErr = err
				}
				if tc.ok {
					if firstErr != nil {
						t.Fatalf("valid UTF-8 in pieces: %v", firstErr)
					}
					want := ""
					for _, part := range tc.parts {
						want += part
					}
					expectMessage(t, b, conn.Text, want)
					return
				}
				if firstErr == nil {
					t.Fatal("invalid UTF-8 through Writer(Text): no error from Write or Close")
				}
				// Whatever else happens, the peer never gets it as a message.
				if msg, err := b.Receive(testCtx(t, 100*time.Millisecond)); err == nil {
					t.Fatalf("peer received %q from a failed Text writer", msg.Data)
				}
			}, pipePairs, tcpPairs)
		})
	}
}

// Mistakes by the caller return errors, never panic.
func TestMisuse(t *testing.T) {
	forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
		ctx := testCtx(t, soon)
		for _, typ := range []conn.MessageType{0, 3, 8, 9, -1} {
			if err := a.Send(ctx, typ, []byte("x")); err == nil {
				t.Errorf("Send(type %d) = nil", typ)
			}
			if _, err := a.Writer(ctx, typ); err == nil {
				t.Errorf("Writer(type %d) = nil error", typ)
			}
		}
		if err := a.StartPing(ping.Policy{Interval: time.Second, Data: make([]byte, 126)}); err == nil {
			t.Error("StartPing with 126 bytes of data = nil")
		}
		if err := a.StartPing(ping.Policy{Interval: -time.Second}); err == nil {
			t.Error("StartPing with a negative interval = nil")
		}
		w, err := a.Writer(ctx, conn.Binary)
		if err != nil {
			t.Fatalf("Writer: %v", err)
		}
		w.Write([]byte("once"))
		if err := w.Close(); err != nil {
			t.Fatalf("Writer.Close: %v", err)
		}
		if _, err := w.Write([]byte("after close")); err == nil {
			t.Error("Write after the Writer's Close = nil error")
		}
		w.Close() // a second Close must not panic
		expectMessage(t, b, conn.Binary, "once")
		if err := a.SendText(ctx, "still fine"); err != nil {
			t.Fatalf("SendText after misuse: %v", err)
		}
		expectMessage(t, b, conn.Text, "still fine")
	}, pipePairs)
}

// Writes after Close or CloseNow return ErrClosed (issue 5, item 8).
func TestWritesAfterClose(t *testing.T) {
	for _, how := range []string{"Close", "CloseNow", "peer closed"} {
		t.Run(how, func(t *testing.T) {
			forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
				ctx := testCtx(t, soon)
				open, err := a.Writer(ctx, conn.Binary)
				if err != nil {
					t.Fatalf("Writer: %v", err)
				}
				switch how {
				case "Close":
					a.Close(conn.StatusNormalClosure, "")
				case "CloseNow":
					a.CloseNow()
				default:
					b.Close(conn.StatusGoingAway, "")
					waitDone(t, a, soon)
				}
				checks := []struct {
					name string
					err  error
				}{
					{"Send", a.Send(ctx, conn.Text, []byte("x"))},
					{"SendText", a.SendText(ctx, "x")},
					{"SendBinary", a.SendBinary(ctx, []byte("x"))},
				}
				_, err = a.Writer(ctx, conn.Text)
				checks = append(checks, struct {
					name string
					err  error
				}{"Writer", err})
				_, err = a.Ping(ctx, nil)
				checks = append(checks, struct {
					name string
					err  error
				}{"Ping", err})
				_, err = open.Write([]byte("x"))
				if err == nil {
					err = open.Close()
				}
				checks = append(checks, struct {
					name string
					err  error
				}{"Write on an open Writer", err})
				for _, c := range checks {
					if !errors.Is(c.err, conn.ErrClosed) {
						t.Errorf("%s after %s: %v, want ErrClosed", c.name, how, c.err)
					}
				}
			}, pipePairs, tcpPairs)
		})
	}
}

// numbered is message i of a test: its index, then size-8 bytes that depend
// on it, so that a cut or a mix-up shows.
func numbered(i, size int) []byte {
	b := make([]byte, size)
	binary.BigEndian.PutUint64(b, uint64(i))
	for j := 8; j < size; j++ {
		b[j] = byte(i*7 + j)
	}
	return b
}

// checkWhole fails unless f is one whole, final binary frame holding a
// numbered message of size bytes, and returns its index.
func checkWhole(t *testing.T, f rawFrame, size int) int {
	t.Helper()
	if f.Opcode != frame.OpBinary || !f.Fin || len(f.Payload) != size {
		t.Fatalf("frame %v fin=%v with %d bytes, want one whole binary message of %d", f.Opcode, f.Fin, len(f.Payload), size)
	}
	i := int(binary.BigEndian.Uint64(f.Payload))
	if !bytes.Equal(f.Payload, numbered(i, size)) {
		t.Fatalf("message %d arrived with other bytes than sent", i)
	}
	return i
}

var expirySizes = []int{1 << 10, 16 << 10, 64 << 10, 1 << 20}

// One rule for a Send whose context ends, at every size: against a peer
// that does not read, Sends queue until one expires; it returns an error
// matching context.DeadlineExceeded and the connection stays usable. Once
// the peer reads, it finds whole frames only: every message whose Send
// returned nil, then the expired one whole or not at all, then a message
// sent with a fresh context.
func TestSendExpiresWhilePeerStalls(t *testing.T) {
	for _, size := range expirySizes {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			forRaw(t, &conn.Options{CloseTimeout: 20 * time.Second}, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
				var sent []int
				expired := -1
				for i := 0; i < (16<<20)/size && expired < 0; i++ {
					ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
					var err error
					within(t, soon, "Send to a peer that does not read", func() { err = ws.SendBinary(ctx, numbered(i, size)) })
					cancel()
					switch {
					case err == nil:
						sent = append(sent, i)
					case errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, conn.ErrClosed):
						expired = i
					default:
						t.Fatalf("Send %d: %v, want nil or a context.DeadlineExceeded", i, err)
					}
				}
				if expired < 0 {
					t.Fatalf("%d Sends to a peer that does not read, none expired", len(sent))
				}
				t.Logf("%d Sends returned nil, then one expired", len(sent))
				if isDone(ws) {
					t.Fatal("an expired Send ended the connection")
				}
				p.startReading()
				after := expired + 1
				afterSent := make(chan error, 1)
				go func() { afterSent <- ws.SendBinary(testCtx(t, 10*time.Second), numbered(after, size)) }()
				for _, want := range sent {
					if got := checkWhole(t, p.next(t, 10*time.Second), size); got != want {
						t.Fatalf("message %d arrived where %d was due", got, want)
					}
				}
				got := checkWhole(t, p.next(t, 10*time.Second), size)
				if got == expired {
					t.Logf("the expired message went out whole")
					got = checkWhole(t, p.next(t, 10*time.Second), size)
				}
				if got != after {
					t.Fatalf("message %d arrived where %d was due", got, after)
				}
				if err := <-afterSent; err != nil {
					t.Fatalf("Send with a fresh context after the expired one: %v", err)
				}
				if isDone(ws) {
					t.Fatal("the connection ended")
				}
			}, tcpTransport, pipeTransport)
		})
	}
}

// A peer that stops reading ends the connection after CloseTimeout, whether
// the frames wait in the connection's own flusher (handed over by a Send
// that expired mid-write) or in a Send whose context has no deadline; later
// calls return ErrClosed.
func TestSendStallEndsConnection(t *testing.T) {
	cases := []struct {
		name string
		size int
		send func(t *testing.T, ws *conn.Conn, data []byte) error
	}{
		{"handed to the flusher", 1 << 20, func(t *testing.T, ws *conn.Conn, data []byte) error {
			// Over TCP the small message goes into the kernel's buffer and
			// the large one expires mid-frame; over net.Pipe the small one
			// expires before its first byte and the large one waits for the
			// write side. Either way, what is left goes to the flusher.
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			if err := ws.SendBinary(ctx, data[:1<<10]); err != nil {
				t.Fatalf("small Send to a peer that does not read: %v, want nil (queued)", err)
			}
			ctx, cancel = context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			if err := ws.SendBinary(ctx, data); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("large Send to a peer that does not read: %v, want context.DeadlineExceeded", err)
			}
			return nil
		}},
		{"small Sends without deadline", 1 << 10, sendUntilError},
		{"large Sends without deadline", 64 << 10, sendUntilError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forRaw(t, &conn.Options{CloseTimeout: 300 * time.Millisecond}, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
				var err error
				within(t, soon, "Sending to a peer that never reads", func() { err = tc.send(t, ws, numbered(0, tc.size)) })
				if err != nil && !errors.Is(err, conn.ErrClosed) {
					t.Fatalf("Send to a stalled peer: %v, want ErrClosed", err)
				}
				waitDone(t, ws, soon)
				if err := ws.SendText(testCtx(t, soon), "more"); !errors.Is(err, conn.ErrClosed) {
					t.Fatalf("Send after the stall: %v, want ErrClosed", err)
				}
				if err := receiveErr(t, ws); !errors.Is(err, conn.ErrClosed) {
					t.Fatalf("Receive after the stall: %v, want ErrClosed", err)
				}
			}, tcpTransport, pipeTransport)
		})
	}
}

// sendUntilError sends data with a context that never ends until Send fails.
func sendUntilError(t *testing.T, ws *conn.Conn, data []byte) error {
	for {
		if err := ws.SendBinary(context.Background(), data); err != nil {
			return err
		}
	}
}

// slowReader lets through at most 4 KiB per Read, one Read every 10 ms: a
// peer that reads slowly, but keeps reading.
type slowReader struct{ net.Conn }

func (r slowReader) Read(p []byte) (int, error) {
	time.Sleep(10 * time.Millisecond)
	return r.Conn.Read(p[:min(len(p), 4<<10)])
}

// A slow peer that keeps reading is never cut, though writing to it takes
// many times CloseTimeout: the stall bound counts from the last progress.
// (1 MiB at 4 KiB per 10 ms takes 2.5 s at least: 2.5 times the bound.)
func TestSendSlowPeerNotCut(t *testing.T) {
	const size = 512 << 10
	forRaw(t, &conn.Options{CloseTimeout: time.Second}, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		// The rest of this message goes to the flusher, or, if the
		// deadline passed before its first byte (a loaded machine), none
		// of it is sent: either way the error is the context's.
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		if err := ws.SendBinary(ctx, numbered(0, size)); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Send to a peer that does not read yet: %v, want context.DeadlineExceeded", err)
		}
		p.nc = slowReader{p.nc}
		p.startReading()
		// And this one is written by the Send, without a deadline.
		if err := ws.SendBinary(context.Background(), numbered(1, size)); err != nil {
			t.Fatalf("Send to a slow peer: %v", err)
		}
		got := checkWhole(t, p.next(t, 20*time.Second), size)
		if got == 0 {
			got = checkWhole(t, p.next(t, 20*time.Second), size)
		} else {
			t.Log("message 0 was not sent at all: its deadline passed before its first byte")
		}
		if got != 1 {
			t.Fatalf("message %d arrived where 1 was due", got)
		}
		if isDone(ws) {
			t.Fatal("the connection to a slow peer ended")
		}
	}, tcpTransport)
}

// Send's context bounds the wait for the writer; a Send that gives up before
// writing anything leaves the connection usable (issue 5, item 8).
func TestSendContextBoundsWait(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		big := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
		bigSent := make(chan error, 1)
		go func() { bigSent <- ws.SendBinary(context.Background(), big) }()
		time.Sleep(100 * time.Millisecond) // the writer is stuck on the full socket

		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		var err error
		within(t, soon, "Send waiting for a busy writer", func() { err = ws.SendText(ctx, "impatient") })
		if !isTimeout(err) {
			t.Fatalf("Send that waited for the writer: %v, want a deadline error", err)
		}
		if isDone(ws) {
			t.Fatal("a Send that wrote nothing failed the connection")
		}

		p.startReading()
		var got []byte
		for {
			f := p.next(t, soon)
			got = append(got, f.Payload...)
			if f.Fin {
				break
			}
		}
		if !bytes.Equal(got, big) {
			t.Fatalf("the big message arrived with %d bytes, want %d", len(got), len(big))
		}
		if err := <-bigSent; err != nil {
			t.Fatalf("big Send: %v", err)
		}
		if err := ws.SendText(testCtx(t, soon), "after"); err != nil {
			t.Fatalf("SendText: %v", err)
		}
		for {
			f := p.next(t, soon)
			if string(f.Payload) == "after" {
				break
			}
			if string(f.Payload) != "impatient" {
				t.Fatalf("unexpected frame %v %q", f.Opcode, trunc(f.Payload))
			}
		}
	}, tcpTransport)
}

// Backpressure: while our queue is full the reader stops reading, so the
// peer's sends block; nothing is lost once Receive resumes (issue 5, item 9;
// DESIGN.md "queue").
func TestBackpressure(t *testing.T) {
	const n, size = 120, 16 << 10
	forPairs(t, nil, &conn.Options{QueueSize: 2}, func(t *testing.T, a, b *conn.Conn) {
		var sent atomic.Int64
		sendErr := make(chan error, 1)
		go func() {
			for i := range n {
				msg := fmt.Appendf(nil, "%04d", i)
				msg = append(msg, bytes.Repeat([]byte{byte(i)}, size)...)
				if err := a.SendBinary(context.Background(), msg); err != nil {
					sendErr <- err
					return
				}
				sent.Add(1)
			}
			sendErr <- nil
		}()
		time.Sleep(200 * time.Millisecond)
		first := sent.Load()
		time.Sleep(100 * time.Millisecond)
		second := sent.Load()
		if second >= n || second != first {
			t.Fatalf("with nobody receiving, %d then %d of %d sends completed: the reader did not stop", first, second, n)
		}
		t.Logf("sender stalled after %d messages", second)
		for i := range n {
			msg := receive(t, b)
			want := fmt.Sprintf("%04d", i)
			if len(msg.Data) != size+4 || string(msg.Data[:4]) != want || msg.Data[size+3] != byte(i) {
				t.Fatalf("message %d: %d bytes starting %q, want %d bytes starting %q", i, len(msg.Data), trunc(msg.Data[:min(4, len(msg.Data))]), size+4, want)
			}
		}
		if err := <-sendErr; err != nil {
			t.Fatalf("SendBinary: %v", err)
		}
	}, pipePairs, tcpPairs)
}
