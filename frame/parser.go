package frame

import (
	"errors"
	"strconv"
)

// EventKind says what an [Event] reports.
type EventKind uint8

// The kinds of [Event].
const (
	EventNone  EventKind = iota // nothing yet: more bytes are needed
	EventData                   // payload bytes of a data message
	EventPing                   // a ping frame, whole
	EventPong                   // a pong frame, whole
	EventClose                  // a close frame, whole; nothing follows it
)

// String returns the lower-case name of the kind ("data", "ping", ...).
func (k EventKind) String() string {
	switch k {
	case EventNone:
		return "none"
	case EventData:
		return "data"
	case EventPing:
		return "ping"
	case EventPong:
		return "pong"
	case EventClose:
		return "close"
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is what [Parser] found in the bytes it was given.
type Event struct {
	Kind EventKind
	// Type is the message's type for EventData: OpText or OpBinary, on
	// continuation frames too.
	Type Opcode
	// Payload holds, for EventData, the next payload bytes of the message
	// (possibly none), unmasked in place and, for uncompressed text, valid
	// UTF-8 so far; for a ping or a pong, its unmasked payload; for a close,
	// its raw unmasked payload. It aliases the bytes given to Parse or
	// Payload and is valid until the caller reuses them.
	Payload []byte
	// Start (EventData): these are the first bytes of a new message; the
	// header of its first frame was just consumed.
	Start bool
	// Fin (EventData): the message ends with these bytes. For uncompressed
	// text, the message was found to be complete UTF-8.
	Fin bool
	// Last (EventData): the current frame is the final one of its message.
	Last bool
	// More (EventData): payload bytes of the current frame still to come
	// after Payload.
	More int64
	// Compressed (EventData with Start): the message's first frame has RSV1
	// set and the State claims RSV1 (permessage-deflate, RFC 7692).
	Compressed bool
	// Code and Reason (EventClose): what [ParseClose] found;
	// StatusNoStatusRcvd (1005) for an empty payload.
	Code   StatusCode
	Reason string
}

// Parser is the receiving half of the protocol for one connection, Sans-I/O:
// bytes in, events out. It holds the state between frames (the partial
// frame, the fragmented message, the UTF-8 sequence in progress) so the
// caller can hand it bytes in pieces of any size, and it composes [Check],
// [Assembler], [Mask], [UTF8Validator] and [ParseClose]. It never allocates,
// except the reason string of a close.
//
// After a protocol violation every call returns the same [*ProtocolError]:
// the connection is to be failed with its code. The zero Parser is not
// usable; call [NewParser].
type Parser struct {
	// Fields are ordered so that small ones share words: a Parser lives in
	// every connection, idle ones included.
	asm    Assembler
	h      Header // the frame in progress; a control frame's only while it is parsed
	left   int64  // its payload bytes not yet given out; 0 at a frame boundary
	err    error  // sticky
	utf8   UTF8Validator
	role   Role
	st     State
	pos    uint8  // the data frame's key position: payload bytes given out so far, mod 4
	typ    Opcode // OpText or OpBinary: the message in progress
	text   bool   // the message's payload is UTF-8 text this parser must check
	closed bool   // a close frame was parsed
}

// Plain errors for a caller's misuse of Payload; they change nothing.
var (
	errPayloadBoundary = errors.New("frame: Payload called at a frame boundary")
	errPayloadLength   = errors.New("frame: Payload needs between 1 and Remaining() bytes")
)

// NewParser returns a parser for the frames received by an endpoint in role
// ([Server] checks frames a client sent), with extension state st, refusing
// messages over limit bytes (limit < 0: no limit).
func NewParser(role Role, st State, limit int64) Parser {
	return Parser{role: role, st: st, asm: *NewAssembler(limit, st)}
}

// SetLimit changes the message size limit (limit < 0: no limit). It applies
// to frames whose headers are parsed from then on, the rest of a message in
// progress included.
func (p *Parser) SetLimit(limit int64) { p.asm.SetLimit(limit) }

// Remaining returns how many payload bytes of the current data frame have not
// yet been given to Parse or Payload, 0 at a frame boundary. A caller may
// read them from its transport straight into its own memory and hand them to
// [Parser.Payload], sparing a copy.
func (p *Parser) Remaining() int64 { return p.left }

// Parse examines b, the bytes received and not yet consumed, fills *ev with
// the next event, and returns how many bytes of b it consumed; the caller
// hands the rest, with whatever arrives next, to the following call. The
// event is filled in place, not returned: it is too large to come back in
// registers, and copying it right after its fields were stored stalls the
// CPU (see parseHeader). One Event can serve every call.
//
// At a frame boundary nothing is consumed until b holds a whole header, and
// for a control frame (at most 139 bytes) until b holds its whole payload:
// then ev.Kind is EventNone and n is 0. A data frame's header is consumed at
// once, with as much of its payload as b holds, as one EventData; later
// calls give the rest of the payload as it arrives. Masked payloads are
// unmasked in place, in b.
//
// The error is a [*ProtocolError] sentinel when the peer broke the protocol
// (then n is 0 and ev.Kind EventNone, though payload bytes of b may have
// been unmasked already, and every later call returns the same error), or a
// plain error for a Parser not made by [NewParser]. After an EventClose,
// Parse consumes all of b and reports nothing.
func (p *Parser) Parse(b []byte, ev *Event) (n int, err error) {
	*ev = Event{}
	if p.err != nil {
		return 0, p.err
	}
	if p.closed {
		// RFC 6455 §1.4: "after receiving a control frame indicating the
		// connection should be closed, a peer discards any further data
		// received."
		return len(b), nil
	}
	if p.left > 0 {
		if len(b) == 0 {
			return 0, nil
		}
		if err := p.data(ev, b[:p.take(len(b))], false); err != nil {
			return 0, err
		}
		return len(ev.Payload), nil
	}
	// The header goes straight into p.h: at a frame boundary nothing needs
	// the previous frame's header any more.
	h := &p.h
	n, err = parseHeader(h, b)
	if err != nil {
		return 0, nil // ErrShortHeader: wait for the rest
	}
	// Judge the header as soon as it is whole, before waiting for any
	// payload: a violation is reported without reading further.
	if err := check(h, p.role, p.st); err != nil {
		return 0, p.fail(err)
	}
	op, err := p.asm.frame(h)
	if err != nil {
		return 0, p.fail(err)
	}
	if h.Opcode.IsControl() {
		return p.control(ev, h, b, n)
	}
	p.left, p.pos = h.Length, 0
	start := h.Opcode != OpContinuation
	if start {
		p.typ = op
		// A compressed message is text only once inflated: the stage that
		// inflates it validates the UTF-8.
		p.text = op == OpText && !p.asm.Compressed()
		p.utf8.Reset()
	}
	k := p.take(len(b) - n)
	if err := p.data(ev, b[n:n+k], start); err != nil {
		return 0, err
	}
	return n + k, nil
}

// Payload takes b, the next bytes of the current data frame's payload that
// the caller read itself (1 <= len(b) <= [Parser.Remaining]), unmasks and
// checks them in place, and fills *ev with their EventData as Parse would.
// Called at a frame boundary or with too many or no bytes, it returns a
// plain error and changes nothing.
func (p *Parser) Payload(b []byte, ev *Event) error {
	*ev = Event{}
	if p.err != nil {
		return p.err
	}
	if p.left == 0 {
		return errPayloadBoundary
	}
	if len(b) == 0 || int64(len(b)) > p.left {
		return errPayloadLength
	}
	return p.data(ev, b, false)
}

// take returns how many of avail bytes belong to the current frame. It
// compares as int64 so that a huge declared length is never converted to an
// int (which may have 32 bits): the result is bounded by avail.
func (p *Parser) take(avail int) int {
	if int64(avail) > p.left {
		return int(p.left)
	}
	return avail
}

// data gives out b, the next payload bytes of the current data frame, as
// *ev, which is zero: its fields are stored one by one (see Parse), once b
// passed its checks.
func (p *Parser) data(ev *Event, b []byte, start bool) error {
	if p.h.Masked {
		p.pos = uint8(Mask(p.h.Key, int(p.pos), b) & 3)
	}
	p.left -= int64(len(b))
	fin := p.h.Fin && p.left == 0
	if p.text {
		// RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as
		// UTF-8 but finds that the byte stream is not, in fact, a valid
		// UTF-8 stream, that endpoint MUST _Fail the WebSocket
		// Connection_." Checking as the bytes arrive fails at the first
		// impossible byte, across chunks and frames alike.
		if _, err := p.utf8.Validate(b); err != nil {
			return p.fail(err)
		}
		// RFC 6455 §5.6: "a particular text frame might include a partial
		// UTF-8 sequence; however, the whole message MUST contain valid
		// UTF-8": only the end of the message may judge a sequence cut off.
		if fin {
			if err := p.utf8.Finish(); err != nil {
				return p.fail(err)
			}
		}
	}
	ev.Kind = EventData
	ev.Type = p.typ
	ev.Payload = b
	ev.Start = start
	ev.Fin = fin
	ev.Last = p.h.Fin
	ev.More = p.left
	ev.Compressed = start && p.asm.Compressed()
	return nil
}

// control consumes the control frame whose header h takes the first n bytes
// of b, once b holds its whole payload, into *ev, which is zero.
func (p *Parser) control(ev *Event, h *Header, b []byte, n int) (int, error) {
	// Check bounded the length to 125, so the conversion is safe.
	end := n + int(h.Length)
	if len(b) < end {
		return 0, nil
	}
	payload := b[n:end]
	if h.Masked {
		Mask(h.Key, 0, payload)
	}
	// RFC 6455 §5.4: "An endpoint MUST be capable of handling control
	// frames in the middle of a fragmented message." Nothing here touches
	// the message in progress.
	switch h.Opcode {
	case OpPing:
		ev.Kind = EventPing
	case OpPong:
		ev.Kind = EventPong
	default:
		code, reason, err := ParseClose(payload)
		if err != nil {
			return 0, p.fail(err)
		}
		ev.Kind, ev.Code, ev.Reason = EventClose, code, reason
		p.closed = true
	}
	ev.Payload = payload
	return end, nil
}

// fail records err so that every later call returns it, and returns it.
func (p *Parser) fail(err error) error {
	p.err = err
	return err
}
