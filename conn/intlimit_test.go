package conn_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// ReadLimit at its extremes (none, the largest int64, the largest int, a
// length no 32-bit int holds) lets ordinary messages through, compressed or
// not: no limit arithmetic overflows into a refusal or a loop.
func TestReadLimitExtremes(t *testing.T) {
	deflate := &handshake.Deflate{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
	for _, limit := range []int64{-1, math.MaxInt64, math.MaxInt, 1 << 40, math.MaxInt32} {
		for _, d := range []*handshake.Deflate{nil, deflate} {
			o := &conn.Options{ReadLimit: limit, Deflate: d}
			forPairs(t, o, o, func(t *testing.T, a, b *conn.Conn) {
				ctx := testCtx(t, 5*time.Second)
				data := jsonish(64<<10, 3)
				go a.Send(ctx, conn.Text, data)
				got, err := b.Receive(ctx)
				if err != nil || !bytes.Equal(got.Data, data) {
					t.Fatalf("ReadLimit %d, deflate %v: Receive = %d bytes, %v", limit, d != nil, len(got.Data), err)
				}
			}, pipePairs)
		}
	}
}

// A whole message must fit in an int: with no read limit, a header that
// announces more than math.MaxInt bytes (possible only on 32-bit platforms)
// is refused at once with 1009, never wrapped; on 64-bit platforms every
// legal length fits and the header waits for its bytes.
func TestLengthBeyondInt(t *testing.T) {
	for _, length := range []int64{math.MaxInt32 + 1, 1 << 40, math.MaxInt64} {
		ws, p := newRaw(t, pipeTransport, frame.Server, &conn.Options{ReadLimit: -1})
		p.startReading()
		h := frame.Header{Fin: true, Opcode: frame.OpBinary, Masked: true, Key: randomKey(), Length: length}
		go p.write(append(frame.AppendHeader(nil, h), "abc"...))
		_, err := ws.ReceiveTimeout(300 * time.Millisecond)
		if length <= math.MaxInt {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("length %d fits an int: Receive = %v, want DeadlineExceeded", length, err)
			}
			continue
		}
		if !errors.Is(err, frame.ErrMessageTooBig) {
			t.Fatalf("length %d beyond an int: Receive = %v, want %v", length, err, frame.ErrMessageTooBig)
		}
		p.expectClose(t, frame.StatusMessageTooBig)
	}
}
