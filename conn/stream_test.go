package conn_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// pattern returns n recognisable bytes: a torn or reordered stream shows.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>11)
	}
	return b
}

// fragments returns the wire form of one message of type op cut into
// frames of at most size payload bytes, with a ping (payload "p<i>") after
// each non-final fragment.
func fragments(p *rawPeer, op frame.Opcode, data []byte, size int, pings bool) []byte {
	var out []byte
	for i := 0; ; i++ {
		n := min(size, len(data))
		fop := op
		if i > 0 {
			fop = frame.OpContinuation
		}
		out = append(out, p.frameBytes(n == len(data), fop, data[:n])...)
		data = data[n:]
		if len(data) == 0 {
			return out
		}
		if pings {
			out = append(out, p.frameBytes(true, frame.OpPing, []byte{'p', byte('0' + i%10)})...)
		}
	}
}

// A message larger than ReadLimit is streamed whole when StreamLimit allows
// it; pings between its fragments are answered while it is read; the
// connection goes on with whole messages afterwards.
func TestReaderStreamsLargeMessage(t *testing.T) {
	data := pattern(3<<20 + 123)
	forRaw(t, &conn.Options{StreamLimit: -1}, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		wire := fragments(p, frame.OpBinary, data, 256<<10, true)
		wire = append(wire, p.frameBytes(true, frame.OpText, []byte("after"))...)
		type result struct {
			r   *conn.MessageReader
			err error
		}
		started := make(chan result, 1)
		go func() {
			r, err := ws.Reader(testCtx(t, 10*time.Second))
			started <- result{r, err}
		}()
		// Reader waits before the message comes: one that starts arriving
		// with nobody waiting is taken as a whole message, under ReadLimit.
		time.Sleep(50 * time.Millisecond)
		sent := p.sendAsync(wire)
		res := <-started
		r, err := res.r, res.err
		if err != nil {
			t.Fatalf("Reader: %v", err)
		}
		if r.Type != conn.Binary {
			t.Fatalf("Type = %v, want binary", r.Type)
		}
		var got bytes.Buffer
		buf := make([]byte, 100<<10) // not a divisor of the fragments
		if _, err := io.CopyBuffer(&got, r, buf); err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		if !bytes.Equal(got.Bytes(), data) {
			t.Fatalf("streamed %d bytes, want %d (equal: false)", got.Len(), len(data))
		}
		expectMessage(t, ws, conn.Text, "after")
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
		for i := range (len(data)+256<<10-1)/(256<<10) - 1 {
			f := p.next(t, soon)
			if f.Opcode != frame.OpPong || string(f.Payload) != string([]byte{'p', byte('0' + i%10)}) {
				t.Fatalf("frame %d: %v %q, want the pong to ping %d", i, f.Opcode, f.Payload, i)
			}
		}
	})
}

// A Read whose context ends in the middle of a message returns ctx.Err() and
// loses nothing: after SetContext, the next Read goes on where it stopped.
func TestReaderGivesUpAndResumes(t *testing.T) {
	data := pattern(200 << 10)
	forRaw(t, &conn.Options{StreamLimit: -1}, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		wire := fragments(p, frame.OpBinary, data, 64<<10, false)
		cut := len(wire) / 2
		firstSent := p.sendAsync(wire[:cut])
		r, err := ws.Reader(testCtx(t, soon))
		if err != nil {
			t.Fatalf("Reader: %v", err)
		}
		var got []byte
		buf := make([]byte, 10<<10)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			r.SetContext(ctx)
			n, err := r.Read(buf)
			cancel()
			got = append(got, buf[:n]...)
			if errors.Is(err, context.DeadlineExceeded) {
				break
			}
			if err != nil {
				t.Fatalf("Read after %d bytes: %v", len(got), err)
			}
		}
		if err := <-firstSent; err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || len(got) >= len(data) {
			t.Fatalf("read %d bytes before the wait, want part of %d", len(got), len(data))
		}
		restSent := p.sendAsync(wire[cut:])
		r.SetContext(testCtx(t, soon))
		rest, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("ReadAll: %v", err)
		}
		if got = append(got, rest...); !bytes.Equal(got, data) {
			t.Fatalf("got %d bytes, want %d (equal: false)", len(got), len(data))
		}
		if err := <-restSent; err != nil {
			t.Fatal(err)
		}
	})
}

// Messages that were already whole in the queue come first, in order, read
// from memory.
func TestReaderQueuedMessagesFirst(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.send(t, true, frame.OpText, []byte("one"))
		p.send(t, true, frame.OpBinary, []byte("two"))
		time.Sleep(50 * time.Millisecond) // the background reader queues both
		for _, want := range []struct {
			typ  conn.MessageType
			data string
		}{{conn.Text, "one"}, {conn.Binary, "two"}} {
			r, err := ws.Reader(testCtx(t, soon))
			if err != nil {
				t.Fatalf("Reader: %v", err)
			}
			b, err := io.ReadAll(r)
			if err != nil || r.Type != want.typ || string(b) != want.data {
				t.Fatalf("got %v %q, %v; want %v %q", r.Type, b, err, want.typ, want.data)
			}
		}
	})
}

// Text is checked as it is streamed (RFC 6455 §8.1): invalid UTF-8 fails the
// connection with 1007, and Read reports the failure.
func TestReaderInvalidUTF8(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		sent := p.sendAsync(append(p.frameBytes(false, frame.OpText, []byte("valid, ")),
			p.frameBytes(true, frame.OpContinuation, []byte{'x', 0xf4, 0x90})...))
		r, err := ws.Reader(testCtx(t, soon))
		if err == nil {
			_, err = io.ReadAll(r)
		}
		<-sent
		var pe *frame.ProtocolError
		if !errors.Is(err, conn.ErrClosed) || !errors.As(err, &pe) || pe.Code != frame.StatusInvalidFramePayloadData {
			t.Fatalf("ReadAll: %v, want ErrClosed with a 1007 protocol error", err)
		}
		p.expectClose(t, frame.StatusInvalidFramePayloadData)
	})
}

// StreamLimit bounds streamed messages as ReadLimit bounds whole ones: a
// larger one is refused from its declared length with 1009.
func TestReaderLimit(t *testing.T) {
	forRaw(t, &conn.Options{ReadLimit: 100, StreamLimit: 1000}, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		sent := p.sendAsync(p.frameBytes(true, frame.OpBinary, pattern(1000))) // over ReadLimit, within StreamLimit
		r, err := ws.Reader(testCtx(t, soon))
		if err != nil {
			t.Fatalf("Reader: %v", err)
		}
		if b, err := io.ReadAll(r); err != nil || !bytes.Equal(b, pattern(1000)) {
			t.Fatalf("ReadAll: %d bytes, %v", len(b), err)
		}
		<-sent
		sent = p.sendAsync(p.frameBytes(true, frame.OpBinary, pattern(1001)))
		r, err = ws.Reader(testCtx(t, soon))
		if err == nil {
			_, err = io.ReadAll(r)
		}
		if !errors.Is(err, conn.ErrClosed) {
			t.Fatalf("a message over StreamLimit: %v, want ErrClosed", err)
		}
		p.expectClose(t, frame.StatusMessageTooBig)
		<-sent
	})
}

// A Receive call while a streamed message is unfinished skips the rest of
// it; the abandoned reader then fails rather than return someone else's
// bytes.
func TestReceiveSkipsUnfinishedStream(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		sent := p.sendAsync(p.frameBytes(false, frame.OpBinary, []byte("first part")))
		r, err := ws.Reader(testCtx(t, soon))
		if err != nil {
			t.Fatalf("Reader: %v", err)
		}
		buf := make([]byte, 5)
		if n, err := r.Read(buf); err != nil || string(buf[:n]) != "first" {
			t.Fatalf("Read = %q, %v", buf[:n], err)
		}
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
		rest := p.sendAsync(append(p.frameBytes(true, frame.OpContinuation, []byte(" and the rest")),
			p.frameBytes(true, frame.OpText, []byte("next"))...))
		expectMessage(t, ws, conn.Text, "next")
		if err := <-rest; err != nil {
			t.Fatal(err)
		}
		// What the reader had in hand may still come out; then it fails.
		got := []byte("first")
		for {
			n, err := r.Read(buf)
			got = append(got, buf[:n]...)
			if err == nil {
				continue
			}
			if err == io.EOF || !bytes.HasPrefix([]byte("first part and the rest"), got) {
				t.Fatalf("the abandoned reader gave %q then %v; want a prefix of the message, then an error", got, err)
			}
			break
		}
	})
}

// A Reader call that skips the rest of an unfinished streamed message still
// takes the next message under StreamLimit, not ReadLimit.
func TestReaderAfterSkipKeepsStreamLimit(t *testing.T) {
	forRaw(t, &conn.Options{ReadLimit: 100, StreamLimit: 1000}, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		sent := p.sendAsync(p.frameBytes(false, frame.OpBinary, pattern(50)))
		r, err := ws.Reader(testCtx(t, soon))
		if err != nil {
			t.Fatalf("Reader: %v", err)
		}
		if n, err := r.Read(make([]byte, 10)); n != 10 || err != nil {
			t.Fatalf("Read = %d, %v", n, err)
		}
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
		sent = p.sendAsync(append(p.frameBytes(true, frame.OpContinuation, pattern(50)),
			p.frameBytes(true, frame.OpBinary, pattern(500))...))
		r2, err := ws.Reader(testCtx(t, soon))
		if err != nil {
			t.Fatalf("second Reader: %v", err)
		}
		b, err := io.ReadAll(r2)
		if err != nil || !bytes.Equal(b, pattern(500)) {
			t.Fatalf("second message: %d bytes, %v; want the 500 bytes", len(b), err)
		}
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
	})
}

// A Read that has handed out the last bytes of a message, exactly filling
// the caller's buffer, leaves the message finished: the next Read returns
// io.EOF at once, even after the background reader has queued the messages
// that followed (it used to wait for the reading, which the queue's
// messages kept from it, and spun).
func TestReaderEOFAfterMessagesQueued(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.send(t, true, frame.OpBinary, []byte("exactly"))
		r, err := ws.Reader(testCtx(t, soon))
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, len("exactly"))
		if n, err := io.ReadFull(r, buf); n != len(buf) || err != nil {
			t.Fatalf("ReadFull = %d, %v", n, err)
		}
		p.send(t, true, frame.OpBinary, []byte("next"))
		time.Sleep(50 * time.Millisecond) // the background reader queues it
		done := make(chan error, 1)
		go func() { _, err := r.Read(buf); done <- err }()
		select {
		case err := <-done:
			if err != io.EOF {
				t.Fatalf("Read at the end of the message = %v, want io.EOF", err)
			}
		case <-time.After(soon):
			ws.CloseNow()
			<-done
			t.Fatal("Read at the end of the message did not return")
		}
		expectMessage(t, ws, conn.Binary, "next")
	}, tcpTransport)
}

// A compressed message is held whole, under ReadLimit, even when Reader
// takes it and StreamLimit is larger: a first frame that announces more
// than ReadLimit allows is refused with 1009 at its header, as Receive
// refuses it, rather than held up to StreamLimit (a test failed before).
func TestReaderCompressedHeldToReadLimit(t *testing.T) {
	d := handshake.Deflate{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
	o := &conn.Options{Deflate: &d, ReadLimit: 1 << 10, StreamLimit: 1 << 30}
	forRaw(t, o, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		h := frame.Header{Fin: true, RSV1: true, Opcode: frame.OpBinary, Length: 100 << 10}
		if p.client {
			h.Masked, h.Key = true, randomKey()
		}
		go p.write(append(frame.AppendHeader(nil, h), make([]byte, 10)...))
		_, err := ws.Reader(testCtx(t, soon))
		if !errors.Is(err, frame.ErrMessageTooBig) {
			t.Fatalf("Reader of a compressed frame announcing 100 KiB under a 1 KiB ReadLimit: %v, want %v", err, frame.ErrMessageTooBig)
		}
		p.expectClose(t, frame.StatusMessageTooBig)
	}, pipeTransport)
}

// A Read on a message that a Receive call abandoned fails at once, even
// when the background reader has queued the messages that followed: the
// Read waited for the reading only while the queue was empty, and spun
// otherwise (seen hanging for an hour under qemu-arm).
func TestReaderAbandonedWhileMessagesQueued(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.send(t, false, frame.OpBinary, []byte("first part"))
		r, err := ws.Reader(testCtx(t, soon))
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, len("first part"))
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Fatal(err)
		}
		p.send(t, true, frame.OpContinuation, []byte(" and the rest"))
		p.send(t, true, frame.OpText, []byte("one"))
		p.send(t, true, frame.OpText, []byte("two"))
		expectMessage(t, ws, conn.Text, "one") // skips the rest of r's message
		time.Sleep(50 * time.Millisecond)      // the background reader queues "two"
		done := make(chan error, 1)
		go func() { _, err := r.Read(buf); done <- err }()
		select {
		case err := <-done:
			if err == nil || err == io.EOF {
				t.Fatalf("Read of an abandoned message = %v, want an error", err)
			}
		case <-time.After(soon):
			ws.CloseNow()
			<-done
			t.Fatal("Read of an abandoned message did not return")
		}
		expectMessage(t, ws, conn.Text, "two")
	}, tcpTransport)
}
