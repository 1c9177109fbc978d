package spec

import (
	"encoding/binary"
	"time"

	"github.com/seed865a0254/websocket/frame"
)

// The peer's writing side: frames encoded as a client or a server would
// (masked or not, RFC 6455 §5.3), illegal ones included, and sent at once,
// frame by frame, in chops, or header first.

// encode returns the wire form of f: masked with a fresh key when the peer
// is a client (inverted by f.WrongMask).
func (p *peer) encode(f Frame) []byte {
	h := p.header(f)
	b := frame.AppendHeader(nil, h)
	n := len(b)
	b = append(b, f.Payload...)
	if h.Masked {
		frame.Mask(h.Key, 0, b[n:])
	}
	return b
}

func (p *peer) header(f Frame) frame.Header {
	h := frame.Header{
		Fin:    f.Fin,
		RSV1:   f.RSV&4 != 0,
		RSV2:   f.RSV&2 != 0,
		RSV3:   f.RSV&1 != 0,
		Opcode: f.Opcode,
		Masked: (p.as == frame.Client) != f.WrongMask,
		Length: f.declared(),
	}
	if h.Masked {
		binary.LittleEndian.PutUint32(h.Key[:], p.rng.Uint32())
	}
	return h
}

// write sends b unless an earlier write failed. A write fails when the
// endpoint has already dropped the connection; that is recorded, not judged
// here: the events show whether it was right to.
func (p *peer) write(b []byte) bool {
	if p.writeErr != nil {
		return false
	}
	if _, err := p.nc.Write(b); err != nil {
		p.writeErr = err
		p.logf(p.since(), "-> write failed: %v", err)
		return false
	}
	return true
}

// noteSent logs f, sent at at.
func (p *peer) noteSent(at time.Duration, f Frame) {
	p.logf(at, "-> %s", f)
	if f.Opcode == frame.OpClose && !p.sentClose {
		p.sentClose = true
		switch {
		case len(f.Payload) == 0:
			p.sentCode = int(frame.StatusNoStatusRcvd)
		case len(f.Payload) == 1:
			p.sentCode = -1
		default:
			p.sentCode = int(binary.BigEndian.Uint16(f.Payload))
		}
	}
}

// writeFrames sends frames back to back in one write.
func (p *peer) writeFrames(fs ...Frame) {
	var b []byte
	for _, f := range fs {
		b = append(b, p.encode(f)...)
	}
	at := p.since()
	if p.write(b) {
		for _, f := range fs {
			p.noteSent(at, f)
		}
	}
}

func (p *peer) send(s Step) {
	switch {
	case s.Sync:
		for i, f := range s.Frames {
			if i > 0 {
				time.Sleep(syncGap)
			}
			p.writeFrames(f)
		}
	case s.Chop > 0:
		var b []byte
		for _, f := range s.Frames {
			b = append(b, p.encode(f)...)
		}
		at := p.since()
		for off := 0; off < len(b); off += s.Chop {
			if off > 0 {
				time.Sleep(chopGap)
			}
			if !p.write(b[off:min(off+s.Chop, len(b))]) {
				return
			}
		}
		for _, f := range s.Frames {
			p.noteSent(at, f)
		}
		p.logf(at, "   (in %d chops of at most %d bytes)", (len(b)+s.Chop-1)/s.Chop, s.Chop)
	default:
		p.writeFrames(s.Frames...)
	}
}

func (p *peer) sendHeader(f Frame) {
	h := p.header(f)
	p.key, p.pos, p.masked = h.Key, 0, h.Masked
	at := p.since()
	if p.write(frame.AppendHeader(nil, h)) {
		p.logf(at, "-> header of %s declaring %d payload bytes", f.Opcode, h.Length)
	}
}

func (p *peer) sendData(data []byte) {
	b := append([]byte(nil), data...)
	if p.masked {
		p.pos = frame.Mask(p.key, p.pos, b)
	}
	at := p.since()
	if p.write(b) {
		p.logf(at, "-> %d payload bytes %s", len(data), quote(data))
	}
}

// closePayload is the body of a close frame: the code in network byte order,
// then the reason (RFC 6455 §5.5.1). It encodes anything it is given.
func closePayload(code frame.StatusCode, reason string) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(code))
	return append(b, reason...)
}
