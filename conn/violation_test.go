package conn_test

import (
	"bufio"
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
)

// frameWith builds a frame with any header fields set; the masking follows the
// raw peer's role unless masked overrides it.
func (p *rawPeer) frameWith(h frame.Header, payload []byte) []byte {
	h.Masked = p.client
	if h.Masked {
		h.Key = randomKey()
	}
	return build(h, payload)
}

// violation is a protocol violation sent by the peer, the close code we must
// answer with and the frame sentinel our Receive must wrap.
type violation struct {
	name  string
	only  frame.Role // our role this case applies to; 0 = both
	bytes func(p *rawPeer) []byte
	code  frame.StatusCode
	err   error
}

var violations = []violation{
	{
		name: "unmasked client frame", only: frame.Server, code: 1002, err: frame.ErrUnmaskedFrame,
		bytes: func(p *rawPeer) []byte {
			return build(frame.Header{Fin: true, Opcode: frame.OpText}, []byte("bare"))
		},
	},
	{
		name: "masked server frame", only: frame.Client, code: 1002, err: frame.ErrMaskedFrame,
		bytes: func(p *rawPeer) []byte {
			return build(frame.Header{Fin: true, Opcode: frame.OpText, Masked: true, Key: randomKey()}, []byte("hidden"))
		},
	},
	{
		name: "RSV1 without an extension", code: 1002, err: frame.ErrReservedBits,
		bytes: func(p *rawPeer) []byte {
			return p.frameWith(frame.Header{Fin: true, RSV1: true, Opcode: frame.OpText}, []byte("x"))
		},
	},
	{
		name: "RSV3 on a ping", code: 1002, err: frame.ErrReservedBits,
		bytes: func(p *rawPeer) []byte {
			return p.frameWith(frame.Header{Fin: true, RSV3: true, Opcode: frame.OpPing}, nil)
		},
	},
	{
		name: "reserved data opcode 3", code: 1002, err: frame.ErrReservedOpcode,
		bytes: func(p *rawPeer) []byte { return p.frameWith(frame.Header{Fin: true, Opcode: 3}, nil) },
	},
	{
		name: "reserved control opcode 0xB", code: 1002, err: frame.ErrReservedOpcode,
		bytes: func(p *rawPeer) []byte { return p.frameWith(frame.Header{Fin: true, Opcode: 0xB}, nil) },
	},
	{
		name: "ping of 126 bytes", code: 1002, err: frame.ErrControlTooLong,
		bytes: func(p *rawPeer) []byte { return p.frameBytes(true, frame.OpPing, make([]byte, 126)) },
	},
	{
		name: "fragmented ping", code: 1002, err: frame.ErrControlFragmented,
		bytes: func(p *rawPeer) []byte { return p.frameBytes(false, frame.OpPing, []byte("p")) },
	},
	{
		name: "continuation without a message", code: 1002, err: frame.ErrUnexpectedContinuation,
		bytes: func(p *rawPeer) []byte { return p.frameBytes(true, frame.OpContinuation, []byte("x")) },
	},
	{
		name: "new message inside a fragmented one", code: 1002, err: frame.ErrExpectedContinuation,
		bytes: func(p *rawPeer) []byte {
			return append(p.frameBytes(false, frame.OpText, []byte("a")), p.frameBytes(true, frame.OpBinary, []byte("b"))...)
		},
	},
	{
		name: "64-bit length with the top bit set", code: 1002, err: frame.ErrLengthOverflow,
		bytes: func(p *rawPeer) []byte {
			b := []byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1}
			if p.client {
				b[1] |= 0x80
				b = append(b, 1, 2, 3, 4)
			}
			return b
		},
	},
	{
		name: "one-byte close payload", code: 1002, err: frame.ErrCloseTooShort,
		bytes: func(p *rawPeer) []byte { return p.frameBytes(true, frame.OpClose, []byte{3}) },
	},
	{
		name: "close code 1005 on the wire", code: 1002, err: frame.ErrInvalidCloseCode,
		bytes: func(p *rawPeer) []byte { return p.frameBytes(true, frame.OpClose, closePayload(1005, "")) },
	},
	{
		name: "close code 999", code: 1002, err: frame.ErrInvalidCloseCode,
		bytes: func(p *rawPeer) []byte { return p.frameBytes(true, frame.OpClose, closePayload(999, "")) },
	},
	{
		name: "close reason not UTF-8", code: 1007, err: frame.ErrInvalidCloseReason,
		bytes: func(p *rawPeer) []byte {
			return p.frameBytes(true, frame.OpClose, closePayload(1000, "bad \xc0\xaf"))
		},
	},
	{
		name: "text not UTF-8", code: 1007, err: frame.ErrInvalidUTF8,
		bytes: func(p *rawPeer) []byte { return p.frameBytes(true, frame.OpText, []byte("caf\xe9")) },
	},
	{
		name: "text ending inside a sequence", code: 1007, err: frame.ErrInvalidUTF8,
		bytes: func(p *rawPeer) []byte { return p.frameBytes(true, frame.OpText, []byte("euro \xe2\x82")) },
	},
	{
		// Fail fast: the impossible byte is in the first fragment, and the
		// message never ends; the close must not wait for it.
		name: "invalid byte in an unfinished message", code: 1007, err: frame.ErrInvalidUTF8,
		bytes: func(p *rawPeer) []byte { return p.frameBytes(false, frame.OpText, []byte("ok \xff")) },
	},
	{
		// F4 90 is impossible at 90 (above U+10FFFF), here in the second
		// fragment of a message that never ends.
		name: "impossible sequence across fragments", code: 1007, err: frame.ErrInvalidUTF8,
		bytes: func(p *rawPeer) []byte {
			return append(p.frameBytes(false, frame.OpText, []byte("\xf4")), p.frameBytes(false, frame.OpContinuation, []byte("\x90"))...)
		},
	},
	{
		// Only the header: the declared length alone must be refused.
		name: "declared length over ReadLimit", code: 1009, err: frame.ErrMessageTooBig,
		bytes: func(p *rawPeer) []byte {
			b := p.frameBytes(true, frame.OpBinary, make([]byte, testReadLimit+1))
			return b[:len(b)-(testReadLimit+1)]
		},
	},
	{
		name: "fragments over ReadLimit", code: 1009, err: frame.ErrMessageTooBig,
		bytes: func(p *rawPeer) []byte {
			b := p.frameBytes(false, frame.OpText, make([]byte, testReadLimit/2+1))
			c := p.frameBytes(true, frame.OpContinuation, make([]byte, testReadLimit/2+1))
			return append(b, c[:len(c)-(testReadLimit/2+1)]...)
		},
	},
}

const testReadLimit = 1024

// Protocol violations fail the connection with the right close code; the
// messages completed before them are still delivered; Receive then says
// ErrClosed wrapping the *frame.ProtocolError we sent (RFC 6455 §7.1.7 "the
// endpoint MUST Close the WebSocket Connection", §7.4.1; issue 5, item 6).
func TestProtocolViolations(t *testing.T) {
	opts := &conn.Options{ReadLimit: testReadLimit, CloseTimeout: 100 * time.Millisecond}
	for _, v := range violations {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			for _, tr := range transports {
				for _, r := range roles {
					if v.only != 0 && v.only != r {
						continue
					}
					t.Run(tr.name+"/ours="+roleName(r), func(t *testing.T) {
						ws, p := newRaw(t, tr, r, opts)
						p.startReading()
						bad := append(p.frameBytes(true, frame.OpText, []byte("before")), v.bytes(p)...)
						wrote := p.sendAsync(bad)
						p.expectClose(t, v.code)
						expectMessage(t, ws, conn.Text, "before")
						err := receiveErr(t, ws)
						var pe *frame.ProtocolError
						if !errors.Is(err, conn.ErrClosed) || !errors.Is(err, v.err) || !errors.As(err, &pe) || pe.Code != v.code {
							t.Fatalf("Receive: %v, want ErrClosed wrapping %v (code %d)", err, v.err, v.code)
						}
						var ce *conn.CloseError
						if errors.As(err, &ce) {
							t.Fatalf("Receive: %v is a CloseError, but the peer sent no close frame", err)
						}
						p.expectEnd(t, soon) // our side stops writing by itself
						p.nc.Close()         // and stops draining when we leave
						waitDone(t, ws, soon)
						<-wrote // ends with the connection either way
					})
				}
			}
		})
	}
}

// The close frame of a failed connection reaches a peer that keeps sending:
// we stop writing, read and discard for a bounded time, then close the socket,
// so the kernel does not reset the connection before the peer reads the close
// frame (DESIGN.md "Failing a connection"; issue 5, item 6).
func TestViolationCloseReachesBusyPeer(t *testing.T) {
	forRaw(t, &conn.Options{CloseTimeout: 500 * time.Millisecond}, func(t *testing.T, ws *conn.Conn, p *rawPeer) {
		stop := make(chan struct{})
		defer close(stop)
		wrote := make(chan error, 1)
		go func() {
			bad := p.frameWith(frame.Header{Fin: true, Opcode: 0x3}, nil)
			if err := p.write(append(p.frameBytes(true, frame.OpText, []byte("before")), bad...)); err != nil {
				wrote <- err
				return
			}
			junk := p.frameBytes(true, frame.OpBinary, bytes.Repeat([]byte("junk"), 16<<10))
			for {
				select {
				case <-stop:
					wrote <- nil
					return
				default:
				}
				p.nc.SetWriteDeadline(time.Now().Add(soon))
				if _, err := p.nc.Write(junk); err != nil {
					wrote <- nil // our side closed: expected
					return
				}
			}
		}()
		p.nc.SetReadDeadline(time.Now().Add(soon))
		br := bufio.NewReader(p.nc)
		for {
			f, err := readFrame(br, !p.client)
			if err != nil {
				t.Fatalf("the busy peer lost the close frame: %v", err)
			}
			if f.Opcode == frame.OpClose {
				if code, _, _ := frame.ParseClose(f.Payload); code != frame.StatusProtocolError {
					t.Fatalf("close code %d, want 1002", code)
				}
				break
			}
		}
		expectMessage(t, ws, conn.Text, "before")
		if err := receiveErr(t, ws); !errors.Is(err, frame.ErrReservedOpcode) {
			t.Fatalf("Receive: %v, want ErrReservedOpcode", err)
		}
		waitDone(t, ws, soon)
		select {
		case err := <-wrote:
			if err != nil {
				t.Fatalf("raw write before the violation: %v", err)
			}
		case <-time.After(soon):
			t.Fatal("our side still reads the busy peer long after failing the connection")
		}
	}, tcpTransport)
}

// ReadLimit between two of our connections: a message of exactly the limit
// passes; one byte more fails the receiver with 1009, which the sender sees
// as *CloseError (RFC 6455 §7.4.1 1009). -1 means no limit.
func TestReadLimit(t *testing.T) {
	t.Run("set", func(t *testing.T) {
		forPairs(t, nil, &conn.Options{ReadLimit: 4096}, func(t *testing.T, a, b *conn.Conn) {
			ctx := testCtx(t, soon)
			if err := a.SendBinary(ctx, make([]byte, 4096)); err != nil {
				t.Fatalf("SendBinary: %v", err)
			}
			if msg := receive(t, b); len(msg.Data) != 4096 {
				t.Fatalf("received %d bytes, want 4096", len(msg.Data))
			}
			w, err := a.Writer(ctx, conn.Text)
			if err != nil {
				t.Fatalf("Writer: %v", err)
			}
			w.Write(bytes.Repeat([]byte("a"), 4000))
			w.Write(bytes.Repeat([]byte("b"), 97))
			w.Close()
			if err := receiveErr(t, b); !errors.Is(err, frame.ErrMessageTooBig) {
				t.Fatalf("receiver of 4097 bytes: %v, want ErrMessageTooBig", err)
			}
			expectCloseCode(t, receiveErr(t, a), conn.StatusMessageTooBig)
		}, pipePairs, tcpPairs)
	})
	t.Run("default 1 MiB", func(t *testing.T) {
		forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
			if err := a.SendBinary(testCtx(t, soon), make([]byte, 1<<20)); err != nil {
				t.Fatalf("SendBinary: %v", err)
			}
			if msg := receive(t, b); len(msg.Data) != 1<<20 {
				t.Fatalf("received %d bytes, want 1 MiB", len(msg.Data))
			}
			a.SendBinary(testCtx(t, soon), make([]byte, 1<<20+1))
			if err := receiveErr(t, b); !errors.Is(err, frame.ErrMessageTooBig) {
				t.Fatalf("receiver of 1 MiB + 1: %v, want ErrMessageTooBig", err)
			}
		}, pipePairs)
	})
	t.Run("none", func(t *testing.T) {
		forPairs(t, nil, &conn.Options{ReadLimit: -1}, func(t *testing.T, a, b *conn.Conn) {
			if err := a.SendBinary(testCtx(t, soon), make([]byte, 3<<20)); err != nil {
				t.Fatalf("SendBinary: %v", err)
			}
			if msg := receive(t, b); len(msg.Data) != 3<<20 {
				t.Fatalf("received %d bytes, want 3 MiB", len(msg.Data))
			}
		}, pipePairs)
	})
}

// expectCloseCode checks that err is *CloseError with code, whatever the
// reason.
func expectCloseCode(t *testing.T, err error, code conn.StatusCode) {
	t.Helper()
	var ce *conn.CloseError
	if !errors.As(err, &ce) || ce.Code != code || !errors.Is(err, conn.ErrClosed) {
		t.Fatalf("Receive: %v, want *CloseError with code %d", err, code)
	}
}
