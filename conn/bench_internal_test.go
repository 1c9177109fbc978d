package conn

import (
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"math"
	"testing"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
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
			ws := New(newReplayConn(f, math.MaxInt), nil, frame.Server, nil)
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
	ws := New(newReplayConn(batch, math.MaxInt), nil, frame.Client, nil)
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

// benchJSON is 4 KiB of JSON-like text, as the shared bench's compressed
// cells send.
func benchJSON(n int) []byte {
	var b []byte
	for i := 0; len(b) < n; i++ {
		b = fmt.Appendf(b, `{"id":%d,"user":"user-%d","score":%d.5,"tags":["red","green"],"active":true},`, i, i%37, i*7%1000)
	}
	return b[:n]
}

// BenchmarkDeflate measures a compressed Send (no context takeover,
// BestSpeed: the defaults) and a compressed Receive+Release of 4 KiB of
// JSON, beside a yardstick that only compresses and inflates the same
// message with compress/flate, fresh writer and reader state each time as
// without context takeover. wire_B is the compressed payload's size.
func BenchmarkDeflate(b *testing.B) {
	data := benchJSON(4096)
	agreed := &handshake.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
	opts := &Options{Deflate: agreed}
	var compressed []byte
	b.Run("Send/4096", func(b *testing.B) {
		sink := &sinkConn{closed: make(chan struct{})}
		ws := New(sink, nil, frame.Server, opts)
		defer ws.CloseNow()
		ctx := context.Background()
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if err := ws.Send(ctx, Text, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	{
		w := getWbuf()
		fw, _ := flate.NewWriter(w, flate.BestSpeed)
		fw.Write(data)
		fw.Flush()
		compressed = append([]byte(nil), trimSync(w.b)...)
	}
	b.Run("Receive_Release/4096", func(b *testing.B) {
		h := frame.Header{Fin: true, RSV1: true, Opcode: frame.OpText, Masked: true, Key: [4]byte{1, 2, 3, 4}, Length: int64(len(compressed))}
		f := frame.AppendHeader(nil, h)
		start := len(f)
		f = append(f, compressed...)
		frame.Mask(h.Key, 0, f[start:])
		ws := New(newReplayConn(f, math.MaxInt), nil, frame.Server, opts)
		defer ws.CloseNow()
		ctx := context.Background()
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			msg, err := ws.Receive(ctx)
			if err != nil || len(msg.Data) != len(data) {
				b.Fatalf("Receive: %d bytes, %v", len(msg.Data), err)
			}
			msg.Release()
		}
		b.ReportMetric(float64(len(compressed)), "wire_B")
	})
	b.Run("yardstick_flate/4096", func(b *testing.B) {
		var out bytes.Buffer
		fw, _ := flate.NewWriter(&out, flate.BestSpeed)
		fr := flate.NewReader(nil)
		in := make([]byte, len(data))
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			out.Reset()
			fw.Reset(&out)
			fw.Write(data)
			fw.Flush()
			fr.(flate.Resetter).Reset(bytes.NewReader(append(out.Bytes(), 1, 0, 0, 0xff, 0xff)), nil)
			if _, err := io.ReadFull(fr, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
