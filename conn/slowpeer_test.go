package conn_test

import (
	"bufio"
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/conn/internal/faultproxy"
	"github.com/seed865a0254/websocket/frame"
)

// Slow peers, each bounded (issue 16). Already covered elsewhere: a Send
// that expires against a stalled peer (send_test.go), a peer that reads
// 4 KiB every 10 ms (TestSendSlowPeerNotCut), Close against a peer that
// never answers or never reads, on raw peers (TestCloseNeverBlocks), a peer
// that vanishes or stalls mid-frame (TestPeerVanishesMidFrame,
// TestStalledFrameEndsWithPingTimeout). These add the bounds themselves
// (memory, the time Close takes), a byte at a time, and the same endings
// between conn.Dial and conn.Accept through the fault proxy.

// A peer that never reads: Sends from many goroutines, each with a short
// context, all return (sent, or context.DeadlineExceeded); the connection
// holds no more than the documented bound (about 256 KiB of frames waiting
// for the socket, beside the message a Send handed over mid-frame); and
// Close returns within CloseTimeout of the socket's stall, with every Send
// after it returning ErrClosed.
func TestSlowPeerNeverReads(t *testing.T) {
	const (
		// The senders stop after 400 ms, well within the stall bound:
		// a peer that takes no data for CloseTimeout is failed, which
		// would end the Sends with that error instead.
		closeTimeout = time.Second
		size         = 256 << 10
		senders      = 16
		sendFor      = 50 * time.Millisecond
	)
	for _, r := range roles {
		t.Run("ours="+roleName(r), func(t *testing.T) {
			ws, _ := newRaw(t, tcpTransport, r, &conn.Options{CloseTimeout: closeTimeout})
			data := numbered(0, size)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.GC() // pools keep their items through one collection
			runtime.ReadMemStats(&before)
			var wg sync.WaitGroup
			var mu sync.Mutex
			var slowest time.Duration
			stop := time.Now().Add(400 * time.Millisecond)
			for range senders {
				wg.Go(func() {
					for time.Now().Before(stop) {
						ctx, cancel := context.WithTimeout(context.Background(), sendFor)
						start := time.Now()
						err := ws.SendBinary(ctx, data)
						took := time.Since(start)
						cancel()
						if err != nil && !errors.Is(err, context.DeadlineExceeded) {
							t.Errorf("Send to a peer that never reads: %v", err)
							return
						}
						mu.Lock()
						slowest = max(slowest, took)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if slowest > sendFor+time.Second {
				t.Errorf("a Send with a %v context returned after %v", sendFor, slowest)
			}
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(data) // counted in before: not in what the connection holds
			held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
			t.Logf("%d senders of %d KiB against a peer that never reads: the slowest Send took %v, the connection holds %d KiB", senders, size>>10, slowest, held>>10)
			// 256 KiB of frames, a 256 KiB message handed over mid-frame, a
			// 16 KiB read buffer, and slack for the runtime.
			if bound := int64(768 << 10); held > bound {
				t.Errorf("the connection holds %d KiB, want at most %d KiB", held>>10, bound>>10)
			}
			var err error
			took := within(t, soon, "Close while the peer never reads", func() { err = ws.Close(conn.StatusNormalClosure, "") })
			t.Logf("Close took %v (CloseTimeout %v): %v", took, closeTimeout, err)
			if !errors.Is(err, conn.ErrClosed) {
				t.Errorf("Close to a peer that never reads: %v, want an error wrapping ErrClosed", err)
			}
			if took > closeTimeout+time.Second {
				t.Errorf("Close took %v, want about CloseTimeout %v", took, closeTimeout)
			}
			waitDone(t, ws, soon)
			if err := ws.SendText(testCtx(t, soon), "more"); !errors.Is(err, conn.ErrClosed) {
				t.Fatalf("Send after Close: %v, want ErrClosed", err)
			}
		})
	}
}

// A peer that reads one byte at a time, one every 2 ms (a byte a second,
// scaled down), over net.Pipe, which buffers nothing: a message that takes
// many times CloseTimeout to cross is never cut, since every byte is
// progress, and arrives whole.
func TestSlowPeerByteAtATime(t *testing.T) {
	const closeTimeout = 40 * time.Millisecond
	for _, r := range roles {
		t.Run("ours="+roleName(r), func(t *testing.T) {
			ws, p := newRaw(t, pipeTransport, r, &conn.Options{CloseTimeout: closeTimeout})
			got := make(chan rawResult, 1)
			go func() {
				br := bufio.NewReaderSize(trickle{p.nc, 2 * time.Millisecond}, 16)
				f, err := readFrame(br, !p.client)
				got <- rawResult{f, err}
			}()
			data := numbered(7, 200) // about 400 ms at a byte every 2 ms
			start := time.Now()
			if err := ws.SendBinary(testCtx(t, 4*soon), data); err != nil {
				t.Fatalf("Send to a peer that reads a byte at a time: %v", err)
			}
			var res rawResult
			select {
			case res = <-got:
			case <-time.After(4 * soon):
				t.Fatal("the message did not arrive")
			}
			took := time.Since(start)
			if res.err != nil || string(res.f.Payload) != string(data) {
				t.Fatalf("the peer read %d bytes, %v; want the message whole", len(res.f.Payload), res.err)
			}
			t.Logf("%d bytes took %v to cross, %.0f times CloseTimeout", len(data), took, float64(took)/float64(closeTimeout))
			if took < 4*closeTimeout {
				t.Fatalf("the message crossed in %v: the peer was not slow enough to test anything", took)
			}
			if isDone(ws) {
				t.Fatal("the connection to a slow but reading peer ended")
			}
		})
	}
}

// trickle reads one byte per Read, after a pause.
type trickle struct {
	r     interface{ Read([]byte) (int, error) }
	pause time.Duration
}

func (t trickle) Read(p []byte) (int, error) {
	time.Sleep(t.pause)
	return t.r.Read(p[:min(len(p), 1)])
}

// Between conn.Dial and conn.Accept, a peer that never answers our close
// (the direction that carries its answer stalls right after the
// handshake), and one that stops in the middle of a frame (the direction
// stalls inside a message's payload): Close returns within CloseTimeout
// with an error that says no close frame came, on either side.
func TestSlowPeerCloseThroughProxy(t *testing.T) {
	const closeTimeout = 200 * time.Millisecond
	_, hs := conversationBytes(t, newFaultRig(t, nil), nil)
	opts := &conn.Options{CloseTimeout: closeTimeout}
	srv, accepted := acceptServer(t, acceptOptions(opts))
	for _, midFrame := range []bool{false, true} {
		for _, closer := range roles {
			name := "never answers"
			if midFrame {
				name = "stops mid-frame"
			}
			t.Run(name+"/closer="+roleName(closer), func(t *testing.T) {
				// The direction towards the closer carries the answer.
				toCloser := faultproxy.Down
				if closer == frame.Server {
					toCloser = faultproxy.Up
				}
				at := hs[toCloser]
				if midFrame {
					at += 2 + 4 + 100 // a header (a client's mask key too) and 100 bytes of the payload
				}
				var f faultproxy.Faults
				plan := faultproxy.Plan{Stall: true, StallAt: at}
				if toCloser == faultproxy.Up {
					f.Up = plan
				} else {
					f.Down = plan
				}
				p, err := faultproxy.Listen(srv.Listener.Addr().String(), func() faultproxy.Faults { return f })
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				client, _, err := conn.Dial(testCtx(t, soon), "ws://"+p.Addr(), dialOptions(opts))
				if err != nil {
					t.Fatal(err)
				}
				server := <-accepted
				if server == nil {
					t.Fatal("Accept failed")
				}
				ws, peer := client, server
				if closer == frame.Server {
					ws, peer = server, client
				}
				defer closeAndWait(t, peer, "peer")
				if midFrame {
					if err := peer.SendBinary(testCtx(t, soon), numbered(1, 1000)); err != nil {
						t.Fatal(err)
					}
					if _, err := ws.ReceiveTimeout(50 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
						t.Fatalf("Receive of a frame stalled part-way: %v, want DeadlineExceeded", err)
					}
				}
				var cerr error
				took := within(t, soon, "Close", func() { cerr = ws.Close(conn.StatusNormalClosure, "") })
				t.Logf("Close took %v (CloseTimeout %v): %v", took, closeTimeout, cerr)
				if !errors.Is(cerr, conn.ErrClosed) {
					t.Fatalf("Close without an answer: %v, want an error wrapping ErrClosed (stalled at %d; %d bytes up, %d down)", cerr, at, p.Forwarded(faultproxy.Up), p.Forwarded(faultproxy.Down))
				}
				if took < closeTimeout/2 || took > closeTimeout+time.Second {
					t.Fatalf("Close took %v, want about CloseTimeout %v", took, closeTimeout)
				}
				waitDone(t, ws, soon)
			})
		}
	}
}
