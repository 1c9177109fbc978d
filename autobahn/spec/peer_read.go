package spec

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/seed865a0254/websocket/frame"
)

// The peer's reading side: what the endpoint sends, decoded into events and
// judged by the peer's own reading of RFC 6455.

// read decodes what the endpoint sends into events, until the stream ends,
// the endpoint breaks the protocol, or Run is over.
func (p *peer) read() {
	defer close(p.exited)
	br := bufio.NewReaderSize(p.nc, 64<<10)
	var hbuf [frame.MaxHeaderSize]byte
	var (
		inMessage  bool
		msgType    frame.Opcode
		msg        []byte
		compressed bool
	)
	for {
		h, err := frame.ReadHeader(br, hbuf[:])
		if err != nil {
			p.emit(Event{Kind: End, Err: err})
			return
		}
		if err := p.checkHeader(h, inMessage); err != nil {
			p.emit(Event{Kind: Violation, Err: err})
			return
		}
		payload := make([]byte, h.Length)
		if _, err := io.ReadFull(br, payload); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			p.emit(Event{Kind: End, Err: fmt.Errorf("inside a %s frame: %w", h.Opcode, err)})
			return
		}
		if h.Masked {
			frame.Mask(h.Key, 0, payload)
		}
		var ev Event
		switch h.Opcode {
		case frame.OpText, frame.OpBinary:
			msgType, msg, inMessage, compressed = h.Opcode, payload, !h.Fin, h.RSV1
			if inMessage {
				continue
			}
			ev = Event{Kind: Message, Type: msgType, Data: msg}
		case frame.OpContinuation:
			msg = append(msg, payload...)
			if inMessage = !h.Fin; inMessage {
				continue
			}
			ev = Event{Kind: Message, Type: msgType, Data: msg}
		case frame.OpPing:
			ev = Event{Kind: Ping, Data: payload}
		case frame.OpPong:
			ev = Event{Kind: Pong, Data: payload}
		case frame.OpClose:
			var err error
			ev, err = parseClose(payload)
			if err != nil {
				p.emit(Event{Kind: Violation, Err: err})
				return
			}
			// RFC 6455 §5.5.1: "The application MUST NOT send any more
			// data frames after sending a Close frame." A message cut
			// short by the close is abandoned.
			inMessage, msg = false, nil
		}
		if ev.Kind == Message && compressed {
			data, err := p.inflater.inflate(ev.Data)
			if err != nil {
				p.emit(Event{Kind: Violation, Err: fmt.Errorf("%s message: %w", ev.Type, err)})
				return
			}
			ev.Data, ev.Compressed = data, true
		}
		if ev.Kind == Message && ev.Type == frame.OpText && !utf8.Valid(ev.Data) {
			p.emit(Event{Kind: Violation, Err: errors.New("text message is not valid UTF-8 (RFC 6455 §5.6)")})
			return
		}
		if !p.emit(ev) {
			return
		}
	}
}

// emit hands ev to the runner; false when Run is over.
func (p *peer) emit(ev Event) bool {
	select {
	case p.events <- arrival{ev, p.since()}:
		return true
	case <-p.done:
		return false
	}
}

// checkHeader judges a frame the endpoint sent. It is the peer's own reading
// of RFC 6455 and RFC 7692, independent of package frame's Check, so that the
// referee does not share the code it judges.
func (p *peer) checkHeader(h frame.Header, inMessage bool) error {
	switch {
	case h.RSV2 || h.RSV3 || h.RSV1 && p.inflater == nil:
		return fmt.Errorf("%s frame with a reserved bit set (RFC 6455 §5.2)", h.Opcode)
	case h.RSV1 && h.Opcode != frame.OpText && h.Opcode != frame.OpBinary:
		// RFC 7692 §6: "An endpoint MUST NOT set the "Per-Message
		// Compressed" bit of control frames and non-first fragments of a
		// data message."
		return fmt.Errorf("%s frame with RSV1 set: only the first frame of a message may be compressed (RFC 7692 §6)", h.Opcode)
	case h.Opcode > frame.OpBinary && h.Opcode < frame.OpClose || h.Opcode > frame.OpPong:
		return fmt.Errorf("reserved opcode %#x (RFC 6455 §5.2)", byte(h.Opcode))
	case p.as == frame.Client && h.Masked:
		return fmt.Errorf("masked %s frame from a server (RFC 6455 §5.1)", h.Opcode)
	case p.as == frame.Server && !h.Masked:
		return fmt.Errorf("unmasked %s frame from a client (RFC 6455 §5.1)", h.Opcode)
	case h.Length < 0 || h.Length > maxFrame:
		return fmt.Errorf("%s frame declaring %d bytes", h.Opcode, h.Length)
	case h.Opcode >= frame.OpClose && h.Length > 125:
		return fmt.Errorf("%s frame of %d bytes (RFC 6455 §5.5: 125 at most)", h.Opcode, h.Length)
	case h.Opcode >= frame.OpClose && !h.Fin:
		return fmt.Errorf("fragmented %s frame (RFC 6455 §5.5)", h.Opcode)
	case h.Opcode == frame.OpContinuation && !inMessage:
		return errors.New("continuation frame without a message in progress (RFC 6455 §5.4)")
	case (h.Opcode == frame.OpText || h.Opcode == frame.OpBinary) && inMessage:
		return fmt.Errorf("%s frame inside a fragmented message (RFC 6455 §5.4)", h.Opcode)
	}
	return nil
}

// parseClose decodes a close payload the endpoint sent.
func parseClose(b []byte) (Event, error) {
	switch len(b) {
	case 0:
		return Event{Kind: Close, Code: frame.StatusNoStatusRcvd}, nil
	case 1:
		return Event{}, errors.New("close frame with a 1-byte payload (RFC 6455 §5.5.1)")
	}
	code := frame.StatusCode(binary.BigEndian.Uint16(b))
	if !validOnWire(code) {
		return Event{}, fmt.Errorf("close frame with code %d, which may not be sent (RFC 6455 §7.4)", uint16(code))
	}
	if !utf8.Valid(b[2:]) {
		return Event{}, errors.New("close reason is not valid UTF-8 (RFC 6455 §5.5.1)")
	}
	return Event{Kind: Close, Code: code, Data: b[2:]}, nil
}

// validOnWire reports whether an endpoint may put code in a close frame: the
// codes of RFC 6455 §7.4.1 and those IANA registered since (1012–1014), and
// the ranges 3000–4999 of §7.4.2. 1005, 1006 and 1015 "MUST NOT be set as a
// status code in a Close control frame by an endpoint".
func validOnWire(code frame.StatusCode) bool {
	return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999
}
