package conn

import (
	"context"
	"fmt"
	"testing"

	"github.com/seed865a0254/websocket/frame"
)

var benchSizes = []int{16, 1024, 65536}

// BenchmarkSend measures Send into a connection whose writes cost nothing,
// beside a yardstick that only encodes the frame (header + copy, + masking
// on the client side) into a reused buffer: the work Send cannot avoid.
func BenchmarkSend(b *testing.B) {
	for _, role := range []frame.Role{frame.Server, frame.Client} {
		for _, size := range benchSizes {
			data := make([]byte, size)
			b.Run(fmt.Sprintf("%v/%d", role, size), func(b *testing.B) {
				ws := New(&sinkConn{closed: make(chan struct{})}, nil, role, nil)
				defer ws.CloseNow()
				ctx := context.Background()
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					if err := ws.Send(ctx, Binary, data); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("yardstick_encode/%v/%d", role, size), func(b *testing.B) {
				buf := make([]byte, 0, size+frame.MaxHeaderSize)
				h := frame.Header{Fin: true, Opcode: frame.OpBinary, Length: int64(size)}
				if role == frame.Client {
					h.Masked, h.Key = true, [4]byte{1, 2, 3, 4}
				}
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					buf = frame.AppendHeader(buf[:0], h)
					start := len(buf)
					buf = append(buf, data...)
					if h.Masked {
						frame.Mask(h.Key, 0, buf[start:])
					}
				}
			})
		}
	}
}

// BenchmarkReceive measures the server's receive path through Receive on an
// in-memory connection replaying one masked 1 KiB client frame (as the
// shared bench's BenchmarkRecv does for other libraries), beside a
// yardstick that does only the unavoidable work: allocate the message, copy
// and unmask it.
func BenchmarkReceive(b *testing.B) {
	const size = 1024
	f := maskedFrame(size)
	// Receive alone (the caller keeps every message), and Receive then
	// Release (the buffer serves a later message).
	for _, release := range []bool{false, true} {
		name := "Receive/1024"
		if release {
			name = "Receive_Release/1024"
		}
		b.Run(name, func(b *testing.B) {
			ws := New(newReplayConn(f, 1<<62), nil, frame.Server, nil)
			defer ws.CloseNow()
			ctx := context.Background()
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				msg, err := ws.Receive(ctx)
				if err != nil || len(msg.Data) != size {
					b.Fatalf("Receive: %d bytes, %v", len(msg.Data), err)
				}
				if release {
					msg.Release()
				}
			}
		})
	}
	b.Run("yardstick_alloc_copy_unmask/1024", func(b *testing.B) {
		key := [4]byte{0x12, 0x34, 0x56, 0x78}
		payload := f[len(f)-size:]
		var sink []byte
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			data := make([]byte, size)
			copy(data, payload)
			frame.Mask(key, 0, data)
			sink = data
		}
		_ = sink
	})
}

// BenchmarkReceiveFeed measures a client taking a stream of small messages
// (the shared bench's client feed cell): unmasked 16 B server frames arrive
// many to a read, and each Receive+Release takes one.
func BenchmarkReceiveFeed(b *testing.B) {
	const size, perRead = 16, 4096
	var batch []byte
	for range perRead {
		h := frame.Header{Fin: true, Opcode: frame.OpBinary, Length: size}
		batch = frame.AppendHeader(batch, h)
		batch = append(batch, make([]byte, size)...)
	}
	ws := New(newReplayConn(batch, 1<<62), nil, frame.Client, nil)
	defer ws.CloseNow()
	ctx := context.Background()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		msg, err := ws.Receive(ctx)
		if err != nil || len(msg.Data) != size {
			b.Fatalf("Receive: %d bytes, %v", len(msg.Data), err)
		}
		msg.Release()
	}
}
