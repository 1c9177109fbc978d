package conn_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

// BenchmarkEchoTLS compares an echo over an HTTP/2 stream (RFC 8441) with an
// echo over its own HTTP/1.1 connection, both over TLS on loopback, client
// and server in this process: one message out, its echo back, per
// iteration. It reports msgs/s (echoes) and cpu-ns/msg, the CPU time of the
// whole process (both sides) per echo. Compare the two in the same run:
//
//	go test ./conn -run '^$' -bench EchoTLS -count 6
func BenchmarkEchoTLS(b *testing.B) {
	for _, size := range []int{128, 16 << 10} {
		for _, proto := range []string{"http1", "http2"} {
			b.Run(strconv.Itoa(size)+"/"+proto, func(b *testing.B) { benchEchoTLS(b, size, proto == "http2") })
		}
	}
}

func benchEchoTLS(b *testing.B, size int, h2 bool) {
	url, tr := h2Server(b, nil, func(ws *conn.Conn, r *http.Request) {
		ctx := context.Background()
		for {
			m, err := ws.Receive(ctx)
			if err != nil {
				return
			}
			err = ws.Send(ctx, m.Type, m.Data)
			m.Release()
			if err != nil {
				return
			}
		}
	})
	opts := &conn.DialOptions{HTTP2: tr}
	if !h2 {
		opts = &conn.DialOptions{TLSConfig: &tls.Config{RootCAs: tr.TLSClientConfig.RootCAs}}
	}
	ctx := context.Background()
	ws, resp, err := conn.Dial(ctx, url, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.CloseNow()
	if got := resp.ProtoMajor == 2; got != h2 {
		b.Fatalf("the handshake ran over %s", resp.Proto)
	}
	msg := make([]byte, size)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	cpu0 := cpuTime()
	start := time.Now()
	for b.Loop() {
		if err := ws.SendBinary(ctx, msg); err != nil {
			b.Fatal(err)
		}
		m, err := ws.Receive(ctx)
		if err != nil {
			b.Fatal(err)
		}
		m.Release()
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/msg")
	ws.Close(conn.StatusNormalClosure, "")
}
