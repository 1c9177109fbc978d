package conn_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
)

// expectCloseError checks that err is the peer's close frame as *CloseError
// with code and reason, and that it says ErrClosed.
func expectCloseError(t *testing.T, err error, code conn.StatusCode, reason string) {
	t.Helper()
	var ce *conn.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("Receive: %v (%T), want *conn.CloseError", err, err)
	}
	if ce.Code != code || ce.Reason != reason {
		t.Fatalf("CloseError{%d, %q}, want {%d, %q}", ce.Code, ce.Reason, code, reason)
	}
	if !errors.Is(err, conn.ErrClosed) {
		t.Fatalf("errors.Is(%v, ErrClosed) = false", err)
	}
	if ce.Error() == "" {
		t.Fatal("CloseError.Error() is empty")
	}
}

// The peer's close: the messages completed before it are returned first, then
// *CloseError; we answer with the same code, and an empty close with an empty
// close, since 1005 never goes on the wire (RFC 6455 §5.5.1 "the endpoint
// typically echos the status code it received"; §7.4.1 1005 "MUST NOT be set
// as a status code in a Close control frame by an endpoint"). Issue 5, item 4.
func TestPeerClose(t *testing.T) {
	cases := []struct {
		name    string
		payload []byte
		code    conn.StatusCode
		reason  string
	}{
		{name: "normal", payload: closePayload(1000, ""), code: conn.StatusNormalClosure},
		{name: "going away with reason", payload: closePayload(1001, "bye"), code: conn.StatusGoingAway, reason: "bye"},
		{name: "application code", payload: closePayload(4000, "app état"), code: 4000, reason: "app état"},
		{name: "empty", payload: nil, code: conn.StatusNoStatusRcvd},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
				p.startReading()
				var burst []byte
				burst = append(burst, p.frameBytes(true, frame.OpText, []byte("one"))...)
				burst = append(burst, p.frameBytes(false, frame.OpBinary, []byte{1})...)
				burst = append(burst, p.frameBytes(true, frame.OpContinuation, []byte{2, 3})...)
				burst = append(burst, p.frameBytes(true, frame.OpClose, tc.payload)...)
				wrote := p.sendAsync(burst)

				// Our answer comes without waiting for Receive.
				f := p.nextNonControl(t, soon)
				if f.Opcode != frame.OpClose {
					t.Fatalf("answer to a close: %v frame", f.Opcode)
				}
				if len(tc.payload) == 0 {
					if len(f.Payload) != 0 {
						t.Fatalf("answer to an empty close has payload %x, want empty", f.Payload)
					}
				} else if code, _, err := frame.ParseClose(f.Payload); err != nil || code != tc.code {
					t.Fatalf("answer to close %d: code %d, %v", tc.code, code, err)
				}
				if err := <-wrote; err != nil {
					t.Fatalf("raw write: %v", err)
				}

				expectMessage(t, ws, conn.Text, "one")
				expectMessage(t, ws, conn.Binary, "\x01\x02\x03")
				expectCloseError(t, receiveErr(t, ws), tc.code, tc.reason)
				if err := receiveErr(t, ws); !errors.Is(err, conn.ErrClosed) {
					t.Fatalf("Receive after the CloseError: %v, want ErrClosed", err)
				}
				if err := ws.SendText(testCtx(t, soon), "late"); !errors.Is(err, conn.ErrClosed) {
					t.Fatalf("SendText after the close handshake: %v, want ErrClosed", err)
				}
				if p.client {
					// We are the server: we close TCP first (RFC 6455 §7.1.1).
					p.expectEnd(t, soon)
				} else {
					p.nc.Close()
				}
				waitDone(t, ws, soon)
			})
		})
	}
}

// After the close handshake the client waits for the server to close TCP, and
// gives up after a bounded time if it never does (RFC 6455 §7.1.1 "the client
// SHOULD wait for the server to close the connection"; issue 5, item 4).
func TestClientWaitsForServerTCPClose(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name+"/server closes", func(t *testing.T) {
			ws, p := newRaw(t, tr, frame.Client, &conn.Options{CloseTimeout: 2 * time.Second})
			p.startReading()
			p.send(t, true, frame.OpClose, closePayload(1000, ""))
			p.expectClose(t, 1000)
			p.expectSilence(t, 100*time.Millisecond) // the client did not close first
			if isDone(ws) {
				t.Log("Done closed before TCP closed")
			}
			p.nc.Close()
			waitDone(t, ws, soon)
			expectCloseError(t, receiveErr(t, ws), 1000, "")
		})
		t.Run(tr.name+"/server never closes", func(t *testing.T) {
			ws, p := newRaw(t, tr, frame.Client, &conn.Options{CloseTimeout: 200 * time.Millisecond})
			p.startReading()
			p.send(t, true, frame.OpClose, closePayload(1000, ""))
			p.expectClose(t, 1000)
			waitDone(t, ws, soon)
			p.expectEnd(t, soon)
		})
	}
}

// Our close, answered: Close returns nil, the peer gets *CloseError, and we
// get ErrClosed (not a CloseError) from Receive afterwards. Close is
// idempotent. Issue 5, item 5.
func TestCloseHandshake(t *testing.T) {
	forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
		var err error
		within(t, soon, "Close", func() { err = a.Close(conn.StatusNormalClosure, "done") })
		if err != nil {
			t.Fatalf("Close answered by the peer: %v", err)
		}
		waitDone(t, a, soon)
		expectCloseError(t, receiveErr(t, b), conn.StatusNormalClosure, "done")
		waitDone(t, b, soon)

		err = receiveErr(t, a)
		var ce *conn.CloseError
		if !errors.Is(err, conn.ErrClosed) || errors.As(err, &ce) {
			t.Fatalf("Receive after our own Close: %v, want ErrClosed (not a CloseError)", err)
		}
		within(t, soon, "second Close", func() { err = a.Close(conn.StatusGoingAway, "") })
		if err != nil && !errors.Is(err, conn.ErrClosed) {
			t.Fatalf("second Close: %v, want nil or ErrClosed", err)
		}
		within(t, soon, "CloseNow after Close", func() { err = a.CloseNow() })
		if err != nil && !errors.Is(err, conn.ErrClosed) {
			t.Fatalf("CloseNow after Close: %v, want nil or ErrClosed", err)
		}
	})
}

// Close validates what it is asked to send: an invalid code or reason is an
// error and nothing goes on the wire (RFC 6455 §7.4.1, §5.5 "All control
// frames MUST have a payload length of 125 bytes or less"; issue 5, item 5).
func TestCloseValidation(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		invalid := []struct {
			name   string
			code   conn.StatusCode
			reason string
		}{
			{"1005 no status", conn.StatusNoStatusRcvd, ""},
			{"1006 abnormal", conn.StatusAbnormalClosure, ""},
			{"1015 TLS", conn.StatusTLSHandshake, ""},
			{"1004 reserved", 1004, ""},
			{"999", 999, ""},
			{"0", 0, ""},
			{"2999", 2999, ""},
			{"5000", 5000, ""},
			{"reason of 124 bytes", conn.StatusNormalClosure, strings.Repeat("r", 124)},
			{"reason not UTF-8", conn.StatusNormalClosure, "bad \xff"},
		}
		for _, tc := range invalid {
			if err := ws.Close(tc.code, tc.reason); err == nil {
				t.Errorf("Close(%s) = nil, want an error", tc.name)
			}
		}
		p.expectSilence(t, 50*time.Millisecond)
		if isDone(ws) {
			t.Fatal("an invalid Close closed the connection")
		}

		reason := strings.Repeat("é", 61) + "x" // 123 bytes: the most that fits
		closed := make(chan error, 1)
		go func() { closed <- ws.Close(4001, reason) }()
		if got := p.expectClose(t, 4001); got != reason {
			t.Fatalf("close reason %q, want %q", got, reason)
		}
		p.send(t, true, frame.OpClose, closePayload(4001, ""))
		if !p.client {
			p.nc.Close() // as the server, the raw peer closes TCP first
		}
		select {
		case err := <-closed:
			if err != nil {
				t.Fatalf("Close answered by the peer: %v", err)
			}
		case <-time.After(soon):
			t.Fatal("Close did not return after the peer answered")
		}
		if p.client {
			p.expectEnd(t, soon)
		}
	})
}

// Close sends one close frame, however many goroutines call it.
func TestCloseSendsOneFrame(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		p.startReading()
		var wg sync.WaitGroup
		errs := make(chan error, 5)
		for range 5 {
			wg.Go(func() { errs <- ws.Close(conn.StatusGoingAway, "bye") })
		}
		p.expectClose(t, conn.StatusGoingAway)
		p.expectSilence(t, 100*time.Millisecond)
		p.send(t, true, frame.OpClose, closePayload(1001, ""))
		if !p.client {
			p.nc.Close()
		} else {
			p.expectEnd(t, soon)
		}
		within(t, soon, "concurrent Close calls", wg.Wait)
		close(errs)
		nils := 0
		for err := range errs {
			if err == nil {
				nils++
			} else if !errors.Is(err, conn.ErrClosed) {
				t.Errorf("concurrent Close: %v, want nil or ErrClosed", err)
			}
		}
		if nils == 0 {
			t.Error("no Close call returned nil although the peer answered")
		}
	})
}

// Close never blocks forever: not when the peer never answers, not when our
// queue is full, not when the peer never reads (issue 5, item 5).
func TestCloseNeverBlocks(t *testing.T) {
	const closeTimeout = 200 * time.Millisecond
	t.Run("peer never answers", func(t *testing.T) {
		forRaw(t, &conn.Options{CloseTimeout: closeTimeout}, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
			p.startReading()
			took := within(t, soon, "Close without an answer", func() { ws.Close(conn.StatusNormalClosure, "") })
			p.expectClose(t, 1000)
			if took < closeTimeout/2 {
				t.Errorf("Close returned after %v, before CloseTimeout %v, with no answer", took, closeTimeout)
			}
			waitDone(t, ws, soon)
			if err := receiveErr(t, ws); !errors.Is(err, conn.ErrClosed) {
				t.Fatalf("Receive after Close: %v, want ErrClosed", err)
			}
		})
	})
	t.Run("queue full", func(t *testing.T) {
		forPairs(t, &conn.Options{QueueSize: 1, CloseTimeout: 2 * time.Second}, nil, func(t *testing.T, a, b *conn.Conn) {
			sent := make(chan error, 1)
			go func() {
				for i := 0; ; i++ {
					if err := b.SendBinary(context.Background(), body(0, i)); err != nil {
						sent <- err
						return
					}
				}
			}()
			time.Sleep(100 * time.Millisecond) // let a's queue fill and its reader stop
			var err error
			within(t, soon, "Close with a full queue", func() { err = a.Close(conn.StatusNormalClosure, "") })
			if err != nil {
				t.Errorf("Close with a full queue, answered by the peer: %v", err)
			}
			if err := receiveErr(t, a); !errors.Is(err, conn.ErrClosed) {
				t.Fatalf("Receive after Close: %v, want ErrClosed", err)
			}
			select {
			case err := <-sent:
				if !errors.Is(err, conn.ErrClosed) {
					t.Errorf("peer's Send after our close: %v, want ErrClosed", err)
				}
			case <-time.After(soon):
				t.Fatal("peer's Send still running after the close handshake")
			}
		}, pipePairs, tcpPairs)
	})
	t.Run("peer never reads", func(t *testing.T) {
		forRaw(t, &conn.Options{CloseTimeout: closeTimeout}, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
			sent := make(chan error, 1)
			go func() { sent <- ws.SendBinary(context.Background(), make([]byte, 8<<20)) }()
			time.Sleep(100 * time.Millisecond) // the socket is full, the Send is stuck
			within(t, soon, "Close while the peer never reads", func() { ws.Close(conn.StatusNormalClosure, "") })
			waitDone(t, ws, soon)
			select {
			case err := <-sent:
				if !errors.Is(err, conn.ErrClosed) {
					t.Errorf("stuck Send ended by Close: %v, want ErrClosed", err)
				}
			case <-time.After(soon):
				t.Fatal("a Send stuck on a peer that never reads outlived Close")
			}
		}, tcpTransport)
	})
}

// After our own Close, queued messages are dropped and Receive says ErrClosed
// (DESIGN.md "Nothing lost").
func TestReceiveAfterOwnClose(t *testing.T) {
	forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
		for _, s := range []string{"x", "y", "z"} {
			if err := b.SendText(testCtx(t, soon), s); err != nil {
				t.Fatalf("peer SendText: %v", err)
			}
		}
		if _, err := b.Ping(testCtx(t, soon), nil); err != nil { // a has read them all
			t.Fatalf("Ping: %v", err)
		}
		if err := a.Close(conn.StatusNormalClosure, ""); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := receiveErr(t, a); !errors.Is(err, conn.ErrClosed) {
			t.Fatalf("Receive after our Close with messages queued: %v, want ErrClosed", err)
		}
	})
}

// CloseNow ends the connection without a handshake: we say ErrClosed, the
// peer sees TCP end without a close frame, io.ErrUnexpectedEOF (DESIGN.md
// "Errors").
func TestCloseNow(t *testing.T) {
	forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
		within(t, soon, "CloseNow", func() { a.CloseNow() })
		waitDone(t, a, soon)
		if err := receiveErr(t, a); !errors.Is(err, conn.ErrClosed) {
			t.Fatalf("Receive after CloseNow: %v, want ErrClosed", err)
		}
		err := receiveErr(t, b)
		var ce *conn.CloseError
		if !errors.Is(err, conn.ErrClosed) || !errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ce) {
			t.Fatalf("peer Receive after CloseNow: %v, want ErrClosed wrapping io.ErrUnexpectedEOF", err)
		}
		waitDone(t, b, soon)
	})
}

// A peer that vanishes in the middle of a frame: ErrClosed wrapping
// io.ErrUnexpectedEOF, after the messages completed before it.
func TestPeerVanishesMidFrame(t *testing.T) {
	forRaw(t, nil, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		whole := p.frameBytes(true, frame.OpText, []byte("complete"))
		torn := p.frameBytes(true, frame.OpBinary, make([]byte, 100))
		wrote := p.sendAsync(append(whole, torn[:len(torn)-60]...))
		expectMessage(t, ws, conn.Text, "complete")
		if err := <-wrote; err != nil {
			t.Fatalf("raw write: %v", err)
		}
		p.nc.Close()
		err := receiveErr(t, ws)
		if !errors.Is(err, conn.ErrClosed) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("Receive after the peer vanished mid-frame: %v, want ErrClosed wrapping io.ErrUnexpectedEOF", err)
		}
		waitDone(t, ws, soon)
	})
}

// The peer's close is answered even when the application calls CloseNow as
// soon as Receive reports it (the usual defer ws.CloseNow() in a handler):
// RFC 6455 §5.5.1 "If an endpoint receives a Close frame and did not
// previously send a Close frame, the endpoint MUST send a Close frame in
// response", and the answer is due before Receive says the peer closed.
func TestCloseNowAfterPeerClose(t *testing.T) {
	forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
		closed := make(chan error, 1)
		go func() { closed <- b.Close(conn.StatusNormalClosure, "bye") }()
		expectCloseError(t, receiveErr(t, a), conn.StatusNormalClosure, "bye")
		a.CloseNow()
		select {
		case err := <-closed:
			if err != nil {
				t.Fatalf("peer's Close: %v, want nil: our answer to its close frame was lost", err)
			}
		case <-time.After(soon):
			t.Fatal("peer's Close did not return")
		}
	})
}
