package conn_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
)

// Every ping is answered with a pong echoing its payload, in order, also
// between the fragments of a message: RFC 6455 §5.5.2 "Upon receipt of a Ping
// frame, an endpoint MUST send a Pong frame in response", §5.5.3 "A Pong frame
// sent in response to a Ping frame must have identical 'Application data'",
// §5.4 "Control frames MAY be injected in the middle of a fragmented message"
// (issue 5, item 3: a burst of ten pings gets ten pongs).
func TestPingsAnsweredBetweenFragments(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		var burst []byte
		burst = append(burst, p.frameBytes(false, frame.OpText, []byte("hel"))...)
		for i := range 10 {
			burst = append(burst, p.frameBytes(true, frame.OpPing, fmt.Appendf(nil, "ping-%d", i))...)
		}
		burst = append(burst, p.frameBytes(true, frame.OpContinuation, []byte("lo"))...)
		wrote := p.sendAsync(burst)

		for i := range 10 {
			f := p.next(t, soon)
			want := fmt.Sprintf("ping-%d", i)
			if f.Opcode != frame.OpPong || !f.Fin || string(f.Payload) != want {
				t.Fatalf("answer %d: %v fin=%v %q, want a pong %q", i, f.Opcode, f.Fin, f.Payload, want)
			}
		}
		expectMessage(t, ws, conn.Text, "hello")
		if err := <-wrote; err != nil {
			t.Fatalf("raw write: %v", err)
		}
		// An empty ping gets an empty pong.
		p.send(t, true, frame.OpPing, nil)
		if f := p.next(t, soon); f.Opcode != frame.OpPong || len(f.Payload) != 0 {
			t.Fatalf("answer to an empty ping: %v %q", f.Opcode, f.Payload)
		}
	})
}

// A ping flood is bounded by backpressure, not by memory: when the peer sends
// pings but never reads our pongs, we stop reading, so its writes block; and
// no pong is dropped (issue 5, item 3; DESIGN.md "never by dropping pongs").
func TestPingFloodBoundedByBackpressure(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		ping := func(i int) []byte {
			payload := fmt.Appendf(nil, "%08d", i)
			payload = append(payload, bytes.Repeat([]byte{'.'}, frame.MaxControlPayload-len(payload))...)
			return p.frameBytes(true, frame.OpPing, payload)
		}
		frameSize := len(ping(0))
		const limit = 32 << 20 // far beyond every buffer on the way
		var (
			written int // bytes of pings fully or partly written
			pings   int // pings started
			pending []byte
		)
		for {
			if written > limit {
				t.Fatalf("wrote %d bytes of pings without ever being blocked: the flood is not bounded", written)
			}
			var batch []byte
			for range 64 {
				batch = append(batch, ping(pings)...)
				pings++
			}
			p.nc.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
			n, err := p.nc.Write(batch)
			written += n
			if err != nil {
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("raw write: %v", err)
				}
				pending = batch[n:]
				break
			}
		}
		p.nc.SetWriteDeadline(time.Time{})
		t.Logf("blocked after %d bytes (%d pings of %d bytes)", written, written/frameSize, frameSize)
		if isDone(ws) {
			t.Fatal("the connection ended under a ping flood")
		}

		// Finish what was started, then read every pong, in order.
		wrote := p.sendAsync(pending)
		p.startReading()
		for i := range pings {
			f := p.next(t, soon)
			if f.Opcode != frame.OpPong || !bytes.HasPrefix(f.Payload, fmt.Appendf(nil, "%08d", i)) {
				t.Fatalf("answer %d of %d: %v %q, want the pong for ping %d", i, pings, f.Opcode, trunc(f.Payload), i)
			}
		}
		if err := <-wrote; err != nil {
			t.Fatalf("raw write: %v", err)
		}
	}, tcpTransport)
}

// Our own pings and pongs go out between the fragments of a message we are
// still streaming with Writer (issue 5, item 3).
func TestControlFramesBetweenOurFragments(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		w, err := ws.Writer(testCtx(t, soon), conn.Binary)
		if err != nil {
			t.Fatalf("Writer: %v", err)
		}
		head := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB
		var got []byte
		writeDone := make(chan error, 1)
		go func() { _, err := w.Write(head); writeDone <- err }()
		// The first fragment: a binary frame without FIN.
		f := p.next(t, soon)
		if f.Opcode != frame.OpBinary || f.Fin {
			t.Fatalf("first frame of a Writer message: %v fin=%v, want binary without FIN", f.Opcode, f.Fin)
		}
		got = append(got, f.Payload...)
		if err := <-writeDone; err != nil {
			t.Fatalf("Writer.Write: %v", err)
		}
		// Whatever else the Write put on the wire (a Writer may keep a tail
		// buffered until the next Write or Close).
		for more := true; more; {
			select {
			case r := <-p.frames:
				if r.err != nil {
					t.Fatalf("raw peer: read: %v", r.err)
				}
				if r.f.Opcode != frame.OpContinuation || r.f.Fin {
					t.Fatalf("frame of an unfinished message: %v fin=%v, want a continuation without FIN", r.f.Opcode, r.f.Fin)
				}
				got = append(got, r.f.Payload...)
			case <-time.After(100 * time.Millisecond):
				more = false
			}
		}

		// The message is open; the peer's ping is answered.
		p.send(t, true, frame.OpPing, []byte("theirs"))
		if f := p.next(t, soon); f.Opcode != frame.OpPong || string(f.Payload) != "theirs" {
			t.Fatalf("while our message is open, answer to a ping: %v %q, want pong %q", f.Opcode, f.Payload, "theirs")
		}
		// Our ping goes out and completes.
		type pingResult struct {
			rtt time.Duration
			err error
		}
		pinged := make(chan pingResult, 1)
		go func() {
			rtt, err := ws.Ping(testCtx(t, soon), []byte("ours"))
			pinged <- pingResult{rtt, err}
		}()
		if f := p.next(t, soon); f.Opcode != frame.OpPing || string(f.Payload) != "ours" {
			t.Fatalf("while our message is open, Ping sent %v %q, want ping %q", f.Opcode, f.Payload, "ours")
		}
		p.send(t, true, frame.OpPong, []byte("ours"))
		if r := <-pinged; r.err != nil {
			t.Fatalf("Ping while a Writer is open: %v", r.err)
		}

		if _, err := w.Write([]byte("tail")); err != nil {
			t.Fatalf("Writer.Write: %v", err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("Writer.Close: %v", err)
		}
		for {
			f := p.next(t, soon)
			if f.Opcode != frame.OpContinuation {
				t.Fatalf("after the pings: %v frame, want continuations", f.Opcode)
			}
			got = append(got, f.Payload...)
			if f.Fin {
				break
			}
		}
		want := append(append([]byte(nil), head...), "tail"...)
		if !bytes.Equal(got, want) {
			t.Fatalf("reassembled %d bytes, want %d, or the content differs", len(got), len(want))
		}
	})
}

// Ping waits for the matching pong and returns the round-trip time.
func TestPingRTT(t *testing.T) {
	forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
		for _, data := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte{7}, frame.MaxControlPayload)} {
			rtt, err := a.Ping(testCtx(t, soon), data)
			if err != nil {
				t.Fatalf("Ping(%d bytes): %v", len(data), err)
			}
			if rtt <= 0 || rtt > soon {
				t.Fatalf("Ping(%d bytes) rtt = %v", len(data), rtt)
			}
		}
		// Several at once, from several goroutines.
		errs := make(chan error, 8)
		for i := range 8 {
			go func() {
				_, err := b.Ping(testCtx(t, soon), fmt.Appendf(nil, "c%d", i))
				errs <- err
			}()
		}
		for range 8 {
			if err := <-errs; err != nil {
				t.Fatalf("concurrent Ping: %v", err)
			}
		}
	})
}

// A pong completes every outstanding Ping up to the one it echoes; a later
// Ping keeps waiting; an unsolicited pong is ignored (RFC 6455 §5.5.3 "A Pong
// frame MAY be sent unsolicited").
func TestPongCompletesEarlierPings(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		p.send(t, true, frame.OpPong, []byte("unsolicited"))

		results := make([]chan error, 3)
		for i := range results {
			results[i] = make(chan error, 1)
			data := fmt.Appendf(nil, "%d", i+1)
			go func() {
				_, err := ws.Ping(testCtx(t, soon), data)
				results[i] <- err
			}()
			if f := p.next(t, soon); f.Opcode != frame.OpPing || !bytes.Equal(f.Payload, data) {
				t.Fatalf("Ping %d sent %v %q", i+1, f.Opcode, f.Payload)
			}
		}
		p.send(t, true, frame.OpPong, []byte("2"))
		for i := range 2 {
			select {
			case err := <-results[i]:
				if err != nil {
					t.Fatalf("Ping %d: %v", i+1, err)
				}
			case <-time.After(soon):
				t.Fatalf("the pong for ping 2 did not complete ping %d", i+1)
			}
		}
		select {
		case err := <-results[2]:
			t.Fatalf("Ping 3 returned (%v) before its pong", err)
		case <-time.After(100 * time.Millisecond):
		}
		p.send(t, true, frame.OpPong, []byte("3"))
		select {
		case err := <-results[2]:
			if err != nil {
				t.Fatalf("Ping 3: %v", err)
			}
		case <-time.After(soon):
			t.Fatal("the pong for ping 3 did not complete it")
		}
	})
}

// Ping's context bounds the wait; the connection stays usable. A payload over
// 125 bytes is the caller's mistake: an error, nothing sent.
func TestPingLimits(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		if _, err := ws.Ping(testCtx(t, soon), make([]byte, frame.MaxControlPayload+1)); err == nil {
			t.Fatal("Ping with 126 bytes succeeded")
		}
		p.expectSilence(t, 50*time.Millisecond)

		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if _, err := ws.Ping(ctx, []byte("lost")); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("unanswered Ping: %v, want context.DeadlineExceeded", err)
		}
		if f := p.next(t, soon); f.Opcode != frame.OpPing || string(f.Payload) != "lost" {
			t.Fatalf("got %v %q, want ping %q", f.Opcode, f.Payload, "lost")
		}
		if isDone(ws) {
			t.Fatal("an unanswered Ping closed the connection")
		}
		if err := ws.SendText(testCtx(t, soon), "alive"); err != nil {
			t.Fatalf("SendText after a timed-out Ping: %v", err)
		}
		if f := p.next(t, soon); f.Opcode != frame.OpText || string(f.Payload) != "alive" {
			t.Fatalf("got %v %q, want text %q", f.Opcode, f.Payload, "alive")
		}
	})
}
