package spec

import (
	"bufio"
	"errors"
	"io"
	"net"
	"time"

	"github.com/seed865a0254/websocket/frame"
)

// reference is a minimal synchronous RFC 6455 endpoint built on package
// frame: it reads one frame at a time, answers pings, echoes messages and
// fails the connection on the first violation. It exists to show that the
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
	asm := frame.NewAssembler(limit, frame.State{})
	var (
		v    frame.UTF8Validator
		msg  []byte
		hbuf [frame.MaxHeaderSize]byte
	)
	write := func(op frame.Opcode, payload []byte) {
		h := frame.Header{Fin: true, Opcode: op, Length: int64(len(payload)), Masked: r.role == frame.Client}
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
		if err := frame.Check(h, r.role, frame.State{}); err != nil {
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
				if op == frame.OpText && r.broken != "lenient utf8" {
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
			if op == frame.OpText {
				if err := v.Finish(); err != nil && r.broken != "lenient utf8" {
					fail(err)
					return
				}
			}
			write(op, msg)
			msg = nil
		}
	}
}
