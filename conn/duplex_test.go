package conn_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

// body is the recognisable content of message i of sender s: a header that
// names it, then a run of one letter, so a torn or interleaved message shows.
func body(s, i int) []byte {
	n := (s*977 + i*131) % 5000
	b := fmt.Appendf(nil, "%d:%d:", s, i)
	return append(b, bytes.Repeat([]byte{byte('a' + (s+i)%26)}, n)...)
}

// checkBody parses a message made by body and checks that it is whole.
func checkBody(data []byte) (s, i int, err error) {
	if _, err := fmt.Sscanf(string(data), "%d:%d:", &s, &i); err != nil {
		return 0, 0, fmt.Errorf("no header in %q", trunc(data))
	}
	if want := body(s, i); !bytes.Equal(data, want) {
		return s, i, fmt.Errorf("message %d of sender %d torn or interleaved: %d bytes, want %d", i, s, len(data), len(want))
	}
	return s, i, nil
}

// Full duplex: one goroutine waits in Receive while many goroutines Send and
// stream with Writer on the same connection; every message arrives whole, and
// each sender's order is kept (issue 5, item 2).
func TestFullDuplex(t *testing.T) {
	const senders, perSender = 8, 60
	forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
		type result struct {
			msg conn.Message
			err error
		}
		pending := make(chan result, 1)
		go func() {
			msg, err := a.Receive(testCtx(t, 20*time.Second))
			pending <- result{msg, err}
		}()

		var wg sync.WaitGroup
		errs := make(chan error, senders)
		for s := range senders {
			wg.Go(func() {
				for i := range perSender {
					data := body(s, i)
					ctx := testCtx(t, 10*time.Second)
					var err error
					switch {
					case s%2 == 1: // stream it in three writes
						var w io.WriteCloser
						w, err = a.Writer(ctx, conn.Text)
						if err != nil {
							break
						}
						third := len(data) / 3
						for _, part := range [][]byte{data[:third], data[third : 2*third], data[2*third:]} {
							if _, err = w.Write(part); err != nil {
								break
							}
						}
						if cerr := w.Close(); err == nil {
							err = cerr
						}
					case i%2 == 0:
						err = a.Send(ctx, conn.Text, data)
					default:
						err = a.SendBinary(ctx, data)
					}
					if err != nil {
						errs <- fmt.Errorf("sender %d, message %d: %w", s, i, err)
						return
					}
				}
			})
		}

		next := make([]int, senders)
		for range senders * perSender {
			msg, err := b.Receive(testCtx(t, 10*time.Second))
			if err != nil {
				select {
				case serr := <-errs:
					t.Fatalf("send failed: %v (peer Receive: %v)", serr, err)
				default:
				}
				t.Fatalf("peer Receive: %v", err)
			}
			s, i, err := checkBody(msg.Data)
			if err != nil {
				t.Fatal(err)
			}
			if s < 0 || s >= senders || i != next[s] {
				t.Fatalf("sender %d: got message %d, want %d (order lost)", s, i, next[s])
			}
			next[s]++
			wantType := conn.Text
			if s%2 == 0 && i%2 == 1 {
				wantType = conn.Binary
			}
			if msg.Type != wantType {
				t.Fatalf("message %d of sender %d has type %v, want %v", i, s, msg.Type, wantType)
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}

		select {
		case r := <-pending:
			t.Fatalf("the waiting Receive returned early: %v %v", r.msg, r.err)
		default:
		}
		if err := b.SendText(testCtx(t, soon), "done"); err != nil {
			t.Fatalf("peer SendText: %v", err)
		}
		select {
		case r := <-pending:
			if r.err != nil || r.msg.Text() != "done" {
				t.Fatalf("waiting Receive = %q, %v; want %q", r.msg.Text(), r.err, "done")
			}
		case <-time.After(soon):
			t.Fatal("the waiting Receive did not get the peer's message")
		}
	})
}

// Sends racing with Close never panic, and every send that fails says
// ErrClosed (issue 5, item 2; DESIGN.md "Safe from any goroutine").
func TestSendRacingClose(t *testing.T) {
	forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
		go func() { // the peer keeps reading, so Close can complete
			for {
				if _, err := b.Receive(context.Background()); err != nil {
					return
				}
			}
		}()
		var wg sync.WaitGroup
		errs := make(chan error, 9)
		for s := range 8 {
			wg.Go(func() {
				for i := 0; ; i++ {
					var err error
					if s == 0 {
						var w io.WriteCloser
						if w, err = a.Writer(context.Background(), conn.Binary); err == nil {
							if _, err = w.Write(body(s, i)); err == nil {
								err = w.Close()
							} else {
								w.Close()
							}
						}
					} else {
						err = a.SendText(context.Background(), string(body(s, i)))
					}
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Go(func() {
			_, err := a.Ping(context.Background(), []byte("p"))
			for err == nil {
				_, err = a.Ping(context.Background(), []byte("p"))
			}
			errs <- err
		})
		time.Sleep(30 * time.Millisecond)
		within(t, 10*time.Second, "Close during sends", func() { a.Close(conn.StatusNormalClosure, "") })
		within(t, soon, "senders after Close", wg.Wait)
		close(errs)
		for err := range errs {
			if !errors.Is(err, conn.ErrClosed) {
				t.Errorf("a send ended by Close returned %v, want an error wrapping ErrClosed", err)
			}
		}
	})
}
