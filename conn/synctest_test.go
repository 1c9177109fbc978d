package conn_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/ping"
)

// In a synctest bubble (fake clock, net.Pipe made inside it) long timeouts
// cost nothing and are exact: an hour-long receive gives up after exactly an
// hour, the connection lives on, and the bubble ends with no goroutine left.
func TestReceiveTimeoutFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x, y := net.Pipe()
		a := conn.New(x, nil, frame.Server, nil)
		b := conn.New(y, nil, frame.Client, nil)

		start := time.Now()
		if _, err := a.ReceiveTimeout(time.Hour); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("ReceiveTimeout(1h): %v, want context.DeadlineExceeded", err)
		}
		if took := time.Since(start); took != time.Hour {
			t.Fatalf("ReceiveTimeout(1h) returned after %v", took)
		}

		go func() {
			time.Sleep(time.Minute)
			b.SendText(context.Background(), "a minute later")
		}()
		msg, err := a.ReceiveTimeout(10 * time.Minute)
		if err != nil || msg.Text() != "a minute later" {
			t.Fatalf("ReceiveTimeout(10m) = %q, %v", msg.Text(), err)
		}
		if took := time.Since(start); took != time.Hour+time.Minute {
			t.Fatalf("message arrived at %v, want 1h1m", took)
		}

		if err := b.Close(conn.StatusNormalClosure, ""); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if _, err := a.Receive(context.Background()); !errors.Is(err, conn.ErrClosed) {
			t.Fatalf("Receive after the peer's close: %v", err)
		}
		<-a.Done()
		<-b.Done()
	})
}

// Dead-peer detection on the fake clock: with a peer that reads but never
// answers, Receive fails with ping.ErrTimeout no earlier than Timeout after
// the first ping and no later than Interval + Timeout (plus one interval of
// slack for a keeper that checks at ping times).
func TestPingTimeoutFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x, y := net.Pipe()
		policy := ping.Policy{Interval: 10 * time.Second, Timeout: 5 * time.Second, Data: []byte("hb")}
		ws := conn.New(x, nil, frame.Client, &conn.Options{Ping: policy, CloseTimeout: time.Second})
		pings := make(chan time.Time, 16)
		go func() { // a server that reads everything and answers nothing
			defer y.Close()
			defer close(pings)
			var hb [frame.MaxHeaderSize]byte
			for {
				h, err := frame.ReadHeader(y, hb[:])
				if err != nil {
					return
				}
				payload := make([]byte, h.Length)
				if _, err := io.ReadFull(y, payload); err != nil {
					return
				}
				if h.Opcode == frame.OpPing {
					pings <- time.Now()
				}
			}
		}()
		start := time.Now()
		_, err := ws.Receive(context.Background())
		took := time.Since(start)
		if !errors.Is(err, ping.ErrTimeout) || !errors.Is(err, conn.ErrClosed) {
			t.Fatalf("Receive: %v, want ErrClosed wrapping ping.ErrTimeout", err)
		}
		if took < policy.Timeout || took > 2*policy.Interval+policy.Timeout {
			t.Fatalf("dead peer detected after %v with %+v", took, policy)
		}
		first, ok := <-pings
		if !ok {
			t.Fatal("no ping sent")
		}
		if d := first.Sub(start); d > policy.Interval {
			t.Fatalf("first ping after %v, interval %v", d, policy.Interval)
		}
		<-ws.Done()
		y.Close()
		for range pings {
		}
	})
}
