package conn_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

// A receive that gives up leaves the connection as it was: the message that
// arrives later is returned by the next call, and sending still works
// (issue 5, item 1; DESIGN.md "Errors").
func TestReceiveTimeoutKeepsConnection(t *testing.T) {
	forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		if _, err := a.Receive(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Receive with an expiring context: %v, want context.DeadlineExceeded", err)
		}
		if _, err := a.ReceiveTimeout(20 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("ReceiveTimeout: %v, want context.DeadlineExceeded", err)
		}

		ctx, cancel = context.WithCancel(t.Context())
		time.AfterFunc(20*time.Millisecond, cancel)
		if _, err := a.Receive(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Receive with a cancelled context: %v, want context.Canceled", err)
		}
		if _, err := a.Receive(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Receive with a context cancelled before the call: %v, want context.Canceled", err)
		}
		if isDone(a) || isDone(b) {
			t.Fatal("a receive that gave up closed the connection")
		}

		if err := b.SendText(testCtx(t, soon), "late"); err != nil {
			t.Fatalf("peer SendText: %v", err)
		}
		expectMessage(t, a, conn.Text, "late")

		if err := a.SendBinary(testCtx(t, soon), []byte("still sending")); err != nil {
			t.Fatalf("SendBinary after timed-out receives: %v", err)
		}
		expectMessage(t, b, conn.Binary, "still sending")

		// A message that arrives while a receive is timing out is not lost.
		go func() {
			time.Sleep(5 * time.Millisecond)
			b.SendText(context.Background(), "racing")
		}()
		for {
			msg, err := a.ReceiveTimeout(time.Millisecond)
			if errors.Is(err, context.DeadlineExceeded) {
				continue
			}
			if err != nil {
				t.Fatalf("ReceiveTimeout: %v", err)
			}
			if msg.Text() != "racing" {
				t.Fatalf("got %q, want %q", msg.Text(), "racing")
			}
			break
		}
	})
}

// Thousands of messages keep their order while receives keep timing out with
// tiny timeouts (issue 5, item 1).
func TestReceiveOrderWhileTimingOut(t *testing.T) {
	const n = 2000
	forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
		sendErr := make(chan error, 1)
		var received atomic.Int64
		go func() {
			for i := range n {
				if err := b.SendText(context.Background(), strconv.Itoa(i)); err != nil {
					sendErr <- err
					return
				}
				if i%64 == 0 {
					time.Sleep(100 * time.Microsecond)
				}
				if i%500 == 499 {
					// Let the receiver catch up and find nothing for a
					// while, so that some receives time out however
					// the two sides are scheduled (the race detector
					// slows the receiver down).
					for wait := time.Now().Add(5 * time.Second); received.Load() <= int64(i) && time.Now().Before(wait); {
						time.Sleep(100 * time.Microsecond)
					}
					time.Sleep(time.Millisecond)
				}
			}
			sendErr <- nil
		}()

		deadline := time.Now().Add(10 * time.Second)
		timeouts := 0
		for want := 0; want < n; {
			if time.Now().After(deadline) {
				t.Fatalf("received %d of %d messages in 10s (%d timeouts)", want, n, timeouts)
			}
			var msg conn.Message
			var err error
			switch want % 3 {
			case 0:
				msg, err = a.ReceiveTimeout(time.Duration(1+rand.IntN(50)) * time.Microsecond)
			case 1:
				ctx, cancel := context.WithTimeout(t.Context(), time.Duration(1+rand.IntN(50))*time.Microsecond)
				msg, err = a.Receive(ctx)
				cancel()
			default:
				ctx, cancel := context.WithCancel(t.Context())
				go cancel()
				msg, err = a.Receive(ctx)
				cancel()
			}
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				timeouts++
				continue
			}
			if err != nil {
				t.Fatalf("Receive after %d messages: %v", want, err)
			}
			if got := msg.Text(); got != strconv.Itoa(want) {
				t.Fatalf("message %d is %q: order lost or message dropped", want, got)
			}
			want++
			received.Store(int64(want))
		}
		if err := <-sendErr; err != nil {
			t.Fatalf("SendText: %v", err)
		}
		t.Logf("%d messages in order across %d timed-out receives", n, timeouts)
		if timeouts == 0 {
			t.Fatal("no receive timed out: the test exercised nothing")
		}
	})
}
