package conn

import (
	"compress/flate"
	"context"
	"errors"
	"sync/atomic"
	"unicode/utf8"

	"github.com/seed865a0254/websocket/frame"
)

// PreparedMessage is a message made ready once to be sent to many
// connections, with [Conn.SendPrepared] or [Group.Broadcast]: its text is
// checked once, and its compressed payload is computed once per compression
// level and shared.
//
// What is shared and what is done per connection:
//
//   - Without permessage-deflate, or below the connection's Threshold, the
//     payload goes out as it is. A server sends it unmasked; a client masks
//     every frame with a fresh key of its own (RFC 6455 §5.3), so the
//     payload is masked per send. Either way the frame is copied into the
//     connection's output buffer, as with Send, where it may share a write
//     with other frames.
//   - With permessage-deflate and no context takeover on our side (the
//     default), a message compresses the same way on every connection that
//     uses the same level, and is compressed once per level (a peer that
//     limits our window below 15 bits makes the connection use Huffman-only
//     output, which is one more level). The compressed payload is shared.
//   - A connection that keeps its compressor between messages (context
//     takeover) compresses the message itself, in its place in its own
//     stream: a payload compressed elsewhere would not match what the
//     peer's inflater remembers.
//
// # Concurrency
//
// A PreparedMessage is immutable once made (its compressed forms are made
// on first use, safely): any number of goroutines may send it at once.
type PreparedMessage struct {
	typ  MessageType
	data []byte
	// deflated holds the compressed payload per flate level (from
	// flate.HuffmanOnly), made on first use.
	deflated [flate.BestCompression - flate.HuffmanOnly + 1]atomic.Pointer[[]byte]
}

// Prepare returns a message of type typ (Text or Binary) with a copy of
// data as its payload, to be sent to many connections. A Text message must
// be valid UTF-8.
func Prepare(typ MessageType, data []byte) (*PreparedMessage, error) {
	if typ != Text && typ != Binary {
		return nil, errMessageType
	}
	// RFC 6455 §5.6: "The "Payload data" is text data encoded as UTF-8."
	if typ == Text && !utf8.Valid(data) {
		return nil, errSendUTF8
	}
	return &PreparedMessage{typ: typ, data: append([]byte(nil), data...)}, nil
}

var errNilPrepared = errors.New("conn: nil prepared message")

// SendPrepared sends p as one whole message, as [Conn.Send] sends its
// payload: the same ordering, the same meaning of a nil error, and the same
// rule when ctx ends (the message was not sent, or it is still sent whole,
// and the connection stays usable; the error matches ctx.Err()). It costs
// no allocation once p has been sent at the connection's compression level.
func (c *Conn) SendPrepared(ctx context.Context, p *PreparedMessage) error {
	if ctx == nil {
		return errNilContext
	}
	if p == nil {
		return errNilPrepared
	}
	return c.sendPrepared(ctx, p)
}

// sendPrepared queues p on c through writeData, or, with a nil ctx, through
// queueNow (no wait, no write in the caller).
func (c *Conn) sendPrepared(ctx context.Context, p *PreparedMessage) error {
	h := frame.Header{Fin: true, Opcode: frame.Opcode(p.typ)}
	payload := p.data
	if z := c.z; z != nil && len(p.data) >= z.threshold {
		// RFC 7692 §6: RSV1 marks a compressed message.
		h.RSV1 = true
		if z.keep != nil {
			return c.sendKept(ctx, h, p.data)
		}
		payload = p.deflate(z.level)
	}
	if ctx == nil {
		return c.queueNow(h, payload)
	}
	return c.writeData(ctx, h, payload, false)
}

// deflate returns the payload compressed at level by a compressor that keeps
// no context, making it on first use.
func (p *PreparedMessage) deflate(level int) []byte {
	slot := &p.deflated[level-flate.HuffmanOnly]
	if b := slot.Load(); b != nil {
		return *b
	}
	out := &wbuf{}
	deflateInto(out, level, p.data)
	b := trimSync(out.b)
	// Two first senders may race: both results are the same bytes, and the
	// first stored is kept.
	slot.CompareAndSwap(nil, &b)
	return *slot.Load()
}
