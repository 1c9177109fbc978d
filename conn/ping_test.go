package conn_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/ping"
)

// The ping policy, as an option or through StartPing, sends pings with the
// configured payload at the interval; a peer that answers keeps the
// connection alive (issue 5, item 10; Sisk's PingPolicy.Start).
func TestPingPolicySendsPings(t *testing.T) {
	policy := ping.Policy{Interval: 25 * time.Millisecond, Data: []byte("heartbeat"), Timeout: 100 * time.Millisecond}
	for _, how := range []string{"option", "StartPing"} {
		t.Run(how, func(t *testing.T) {
			opts := &conn.Options{Ping: policy}
			if how == "StartPing" {
				opts = nil
			}
			forRaw(t, opts, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
				p.startReading()
				if how == "StartPing" {
					p.expectSilence(t, 60*time.Millisecond) // no pings by default
					if err := ws.StartPing(policy); err != nil {
						t.Fatalf("StartPing: %v", err)
					}
				}
				const watch = 250 * time.Millisecond
				end := time.Now().Add(watch)
				pings := 0
				for time.Now().Before(end) {
					select {
					case r := <-p.frames:
						if r.err != nil {
							t.Fatalf("raw peer: %v after %d pings", r.err, pings)
						}
						if r.f.Opcode != frame.OpPing || string(r.f.Payload) != "heartbeat" {
							t.Fatalf("got %v %q, want ping %q", r.f.Opcode, r.f.Payload, "heartbeat")
						}
						pings++
						p.send(t, true, frame.OpPong, r.f.Payload)
					case <-time.After(time.Until(end)):
					}
				}
				// 10 at the interval; allow a slow machine and some slack.
				if pings < 3 || pings > 25 {
					t.Fatalf("%d pings in %v at an interval of %v", pings, watch, policy.Interval)
				}
				if _, err := ws.ReceiveTimeout(10 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("Receive on a live connection with pings: %v, want context.DeadlineExceeded", err)
				}
				if isDone(ws) {
					t.Fatal("a peer answering every ping was declared dead")
				}
			})
		})
	}
}

// A peer that reads but never answers pings is detected: Receive returns an
// error wrapping ping.ErrTimeout (and ErrClosed) within about Interval +
// Timeout, and the peer gets close 1011 (issue 5, item 10; DESIGN.md "ping").
func TestPingTimeoutDetectsDeadPeer(t *testing.T) {
	policy := ping.Policy{Interval: 50 * time.Millisecond, Data: []byte("anyone?"), Timeout: 100 * time.Millisecond}
	forRaw(t, &conn.Options{Ping: policy, CloseTimeout: 200 * time.Millisecond}, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		start := time.Now()
		err := receiveErr(t, ws)
		took := time.Since(start)
		if !errors.Is(err, ping.ErrTimeout) || !errors.Is(err, conn.ErrClosed) {
			t.Fatalf("Receive with a dead peer: %v, want ErrClosed wrapping ping.ErrTimeout", err)
		}
		if took < policy.Timeout-10*time.Millisecond || took > soon {
			t.Fatalf("dead peer detected after %v; policy %v + %v", took, policy.Interval, policy.Timeout)
		}
		t.Logf("dead peer detected after %v", took)
		p.expectClose(t, frame.StatusInternalError)
		waitDone(t, ws, soon)
	})
}

// A live peer whose messages wait in our full queue is not declared dead:
// our reader is blocked by our own backpressure, so its pongs cannot reach
// us, and the dead-peer clock must stop (issue 5, item 10; DESIGN.md "While
// the reader is blocked on a full queue, the dead-peer timer is paused").
func TestPingTimeoutPausedByFullQueue(t *testing.T) {
	const n = 30
	opts := &conn.Options{QueueSize: 1, Ping: ping.Policy{Interval: 20 * time.Millisecond, Timeout: 80 * time.Millisecond}}
	forPairs(t, opts, nil, func(t *testing.T, a, b *conn.Conn) {
		sendErr := make(chan error, 1)
		go func() {
			for i := range n {
				if err := b.SendBinary(context.Background(), body(1, i)); err != nil {
					sendErr <- err
					return
				}
			}
			sendErr <- nil
		}()
		time.Sleep(300 * time.Millisecond) // several Interval + Timeout
		for i := range n {
			msg, err := a.Receive(testCtx(t, soon))
			if err != nil {
				t.Fatalf("Receive %d after a full queue: %v (the live peer was declared dead?)", i, err)
			}
			if _, j, err := checkBody(msg.Data); err != nil || j != i {
				t.Fatalf("message %d: %v (got %d)", i, err, j)
			}
		}
		if err := <-sendErr; err != nil {
			t.Fatalf("peer SendBinary: %v", err)
		}
		if _, err := a.Ping(testCtx(t, soon), []byte("still here")); err != nil {
			t.Fatalf("Ping after the queue drained: %v", err)
		}
	}, pipePairs, httpPairs)
}

// A policy with an Interval and no Timeout detects a peer that answers
// nothing: the timeout is the interval.
func TestPingIntervalAloneDetectsDeadPeer(t *testing.T) {
	opts := &conn.Options{Ping: ping.Policy{Interval: 100 * time.Millisecond}, CloseTimeout: 200 * time.Millisecond}
	forRaw(t, opts, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		var err error
		d := within(t, soon, "the silent peer's end", func() { err = receiveErr(t, ws) })
		if !errors.Is(err, ping.ErrTimeout) || !errors.Is(err, conn.ErrClosed) {
			t.Fatalf("Receive = %v, want ping.ErrTimeout", err)
		}
		if d < 200*time.Millisecond {
			t.Errorf("failed after %v, before a ping could go unanswered for an interval", d)
		}
		p.expectClose(t, conn.StatusInternalError)
		waitDone(t, ws, soon)
	}, tcpTransport)
}
