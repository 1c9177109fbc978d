package spec

import (
	"bufio"
	"errors"
	"io"
	"net"
	"time"
	"unicode/utf8"

	"github.com/seed865a0254/websocket/frame"
)

// reference is a minimal synchronous RFC 6455 endpoint built on package
// frame: it reads one frame at a time, answers pings, echoes messages and
// fails the connection on the first violation. Under Settings.Deflate it
// inflates and compresses with the peer's own codec (RFC 7692). It exists to show that the
// catalogue can be passed (every case agrees with itself and with the RFC)
// and that the peer judges correctly, independently of package conn. With
// broken set, it misbehaves in the way broken names.
type reference struct {
	role   frame.Role
	set    Settings
	broken string
}

// serve runs the endpoint on nc until the connection ends.
func (r reference) serve(nc net.Conn) {
	defer nc.Close()
	limit := r.set.ReadLimit
	if limit == 0 {
		limit = 1 << 20
	}
	closeTimeout := r.set.CloseTimeout
	if closeTimeout == 0 {
		closeTimeout = 5 * time.Second
	}
	br := bufio.NewReader(nc)
	st := frame.State{RSV1: r.set.Deflate != nil}
	asm := frame.NewAssembler(limit, st)
	in, out := r.codec(limit)
	var (
		v    frame.UTF8Validator
		msg  []byte
		hbuf [frame.MaxHeaderSize]byte
	)
	writeFrame := func(fin, rsv1 bool, op frame.Opcode, payload []byte) {
		h := frame.Header{Fin: fin, RSV1: rsv1, Opcode: op, Length: int64(len(payload)), Masked: r.role == frame.Client}
		if h.Masked {
			h.Key = [4]byte{1, 2, 3, 4}
		}
		b := frame.AppendHeader(nil, h)
		n := len(b)
		b = append(b, payload...)
		if h.Masked {
			frame.Mask(h.Key, 0, b[n:])
		}
		nc.Write(b)
	}
	write := func(op frame.Opcode, payload []byte) { writeFrame(true, false, op, payload) }
	// fail sends the close frame, stops writing, and discards what the peer
	// sends until it closes or the close timeout passes.
	fail := func(err error) {
		code := frame.StatusProtocolError
		var pe *frame.ProtocolError
		if errors.As(err, &pe) {
			code = pe.Code
		}
		write(frame.OpClose, frame.AppendClose(nil, code, ""))
		if r.broken == "no half-close" {
			time.Sleep(10 * closeTimeout)
			return
		}
		if tc, ok := nc.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		nc.SetReadDeadline(time.Now().Add(closeTimeout))
		io.Copy(io.Discard, br)
	}
	for {
		h, err := frame.ReadHeader(br, hbuf[:])
		if err != nil {
			return
		}
		if err := frame.Check(h, r.role, st); err != nil {
			fail(err)
			return
		}
		op, err := asm.Frame(h)
		if err != nil {
			fail(err)
			return
		}
		// Read the payload as it arrives, validating text on the way.
		payload := make([]byte, 0, min(h.Length, 1<<16))
		pos := 0
		for int64(len(payload)) < h.Length {
			chunk := make([]byte, min(h.Length-int64(len(payload)), 4096))
			n, err := br.Read(chunk)
			if n > 0 {
				chunk = chunk[:n]
				if h.Masked {
					pos = frame.Mask(h.Key, pos, chunk)
				}
				if op == frame.OpText && !asm.Compressed() && r.broken != "lenient utf8" {
					if _, err := v.Validate(chunk); err != nil {
						fail(err)
						return
					}
				}
				payload = append(payload, chunk...)
			}
			if err != nil {
				return
			}
		}
		switch h.Opcode {
		case frame.OpPing:
			if r.broken != "no pongs" {
				write(frame.OpPong, payload)
			}
		case frame.OpPong:
		case frame.OpClose:
			code, reason, err := frame.ParseClose(payload)
			if err != nil {
				fail(err)
				return
			}
			var reply []byte
			if code != frame.StatusNoStatusRcvd {
				reply = frame.AppendClose(nil, code, reason)
			}
			if r.broken == "close 1000" {
				reply = frame.AppendClose(nil, frame.StatusNormalClosure, "")
			}
			write(frame.OpClose, reply)
			if r.role == frame.Client {
				// Wait for the server to close the connection.
				nc.SetReadDeadline(time.Now().Add(closeTimeout))
				io.Copy(io.Discard, br)
			}
			return
		default:
			msg = append(msg, payload...)
			if !h.Fin {
				continue
			}
			if asm.Compressed() {
				if msg, err = inflate(in, msg, op); err != nil {
					fail(err)
					return
				}
			} else if op == frame.OpText {
				if err := v.Finish(); err != nil && r.broken != "lenient utf8" {
					fail(err)
					return
				}
			}
			if z := r.set.Compression; out != nil && len(msg) >= z.Threshold && r.broken != "never compress" {
				p := out.compress(msg)
				if r.broken == "rsv1 on continuations" && len(p) > 1 {
					writeFrame(false, true, op, p[:1])
					writeFrame(true, true, frame.OpContinuation, p[1:])
				} else {
					writeFrame(true, true, op, p)
				}
			} else {
				write(op, msg)
			}
			msg = nil
		}
	}
}

// codec returns the decompressor of the peer's messages and the compressor
// of the echoes, nil without an agreement.
func (r reference) codec(limit int64) (*inflater, *deflater) {
	if r.set.Deflate == nil {
		return nil, nil
	}
	own, peer := directions(r.set.Deflate, r.role)
	own.takeover = own.takeover && r.set.Compression.ContextTakeover
	switch r.broken {
	case "forget the peer's context":
		peer.takeover = false
	case "keep context":
		own.takeover = true
	case "ignore the window":
		own.bits = 15
	}
	return &inflater{dir: peer, limit: limit}, &deflater{dir: own}
}

// inflate returns the message whose compressed payload is msg, or the
// error that fails the connection.
func inflate(in *inflater, msg []byte, op frame.Opcode) ([]byte, error) {
	out, err := in.inflate(msg)
	switch {
	case errors.Is(err, errInflatedTooBig):
		return nil, frame.ErrMessageTooBig
	case err != nil:
		return nil, &frame.ProtocolError{Code: frame.StatusInvalidFramePayloadData, Reason: err.Error()}
	case op == frame.OpText && !utf8.Valid(out):
		return nil, frame.ErrInvalidUTF8
	}
	return out, nil
}
