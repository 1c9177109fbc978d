package spec

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// permessage-deflate (RFC 7692) on the peer's side. The peer compresses what
// it sends as the agreement allows its own side, and inflates what the
// endpoint sends as the agreement binds the endpoint's side: with the
// endpoint's last window as dictionary only where the endpoint may take over
// its context, and with every back-reference checked against the endpoint's
// window.

// direction is what an agreement allows the sender of one direction.
type direction struct {
	takeover bool // the sender may keep its LZ77 window between messages
	bits     int  // the sender's LZ77 window, in bits
}

func (d direction) window() int { return 1 << d.bits }

// directions returns what agreement d allows the side in role, and what it
// allows the other side.
func directions(d *handshake.Deflate, role frame.Role) (own, other direction) {
	server := direction{!d.ServerNoContextTakeover, windowBits(d.ServerMaxWindowBits)}
	client := direction{!d.ClientNoContextTakeover, windowBits(d.ClientMaxWindowBits)}
	if role == frame.Server {
		return server, client
	}
	return client, server
}

// windowBits is an agreement's window: "an LZ77 sliding window of up to
// 32,768 bytes" (15 bits) where it sets none (RFC 7692 §7.1.2).
func windowBits(b int) int {
	if b < 8 || b > 15 {
		return 15
	}
	return b
}

// The levels the peer compresses at: the fastest, except with a preset
// dictionary, which flate.BestSpeed ignores.
const (
	compressLevel = flate.BestSpeed
	dictLevel     = 2
)

// deflater compresses the messages of one sender (RFC 7692 §7.2.1), keeping
// its context between messages when the direction allows it, and never
// referring further back than its window. It is not safe for concurrent use.
type deflater struct {
	dir     direction
	out     bytes.Buffer
	kept    *flate.Writer // takeover with a full window: one stream for every message
	fresh   *flate.Writer // reset for each message compressed on its own
	literal *flate.Writer // Huffman-only output, which refers to nothing
	history []byte        // takeover with a smaller window: the last window sent
}

// compress returns p compressed as one message.
func (z *deflater) compress(p []byte) []byte {
	z.out.Reset()
	w := z.writer(len(p))
	w.Write(p) // writes to a bytes.Buffer do not fail
	w.Flush()
	if z.dir.takeover && z.dir.bits < 15 {
		z.history = slide(z.history, p, z.dir.window())
	}
	// RFC 7692 §7.2.1: "Remove 4 octets (that are 0x00 0x00 0xff 0xff) from
	// the tail end." A sync flush ends with them.
	b := z.out.Bytes()
	return bytes.Clone(b[:len(b)-len(syncTail)])
}

// syncTail ends a sync flush: an empty stored block's lengths.
var syncTail = []byte{0x00, 0x00, 0xff, 0xff}

// writer returns a compressor for a message of n bytes whose
// back-references stay within the window: within the message when it fits
// the window, or into a preset dictionary of the last window-n bytes sent
// (no distance then exceeds window-1); none at all for a longer message
// under a window smaller than compress/flate's.
func (z *deflater) writer(n int) *flate.Writer {
	w := z.dir.window()
	switch {
	case z.dir.takeover && z.dir.bits == 15:
		if z.kept == nil {
			z.kept, _ = flate.NewWriter(&z.out, compressLevel) // the level is valid
		}
		return z.kept
	case z.dir.bits == 15 || !z.dir.takeover && n <= w:
		return z.reset(&z.fresh, compressLevel)
	case n <= w:
		dict := z.history[max(0, len(z.history)-(w-n)):]
		fw, _ := flate.NewWriterDict(&z.out, dictLevel, dict)
		return fw
	default:
		return z.reset(&z.literal, flate.HuffmanOnly)
	}
}

// reset returns *w reset to write a new stream, made at level if nil.
func (z *deflater) reset(w **flate.Writer, level int) *flate.Writer {
	if *w == nil {
		*w, _ = flate.NewWriter(&z.out, level)
	} else {
		(*w).Reset(&z.out)
	}
	return *w
}

// slide appends b to the window w and keeps its last n bytes.
func slide(w, b []byte, n int) []byte {
	if len(b) >= n {
		return append(w[:0], b[len(b)-n:]...)
	}
	keep := min(len(w), n-len(b))
	w = append(w[:0], w[len(w)-keep:]...)
	return append(w, b...)
}

// Why a compressed message is refused.
var (
	errNotDeflate     = errors.New("a compressed message that does not inflate (RFC 7692 §7.2.2)")
	errInflatedTooBig = errors.New("a compressed message that inflates past the limit")
	errBeyondWindow   = errors.New("a back-reference past the sender's agreed LZ77 window (RFC 7692 §7.1.2)")
)

// inflateTail follows a message's payload. RFC 7692 §7.2.2: "Append 4
// octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the
// message." An empty final block after them ends the stream, so that the
// reader reports io.EOF at the end of the message.
var inflateTail = []byte{0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff}

// inflater inflates the messages of one sender under its direction. It is
// not safe for concurrent use.
type inflater struct {
	dir    direction
	limit  int64 // the largest message inflated; < 0: none
	fr     io.ReadCloser
	window []byte // the sender's last window, kept when it may take over its context
}

// inflate returns what the compressed payload of a message inflates to, or
// an error wrapping errNotDeflate, errInflatedTooBig or errBeyondWindow.
func (z *inflater) inflate(payload []byte) ([]byte, error) {
	stream := append(bytes.Clone(payload), inflateTail...)
	if z.dir.bits < 15 {
		// Before inflating, which would fail on a reference past the
		// dictionary with a vaguer error.
		d, err := reach(stream[:len(payload)+len(syncTail)])
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errNotDeflate, err)
		}
		if d > z.dir.window() {
			return nil, fmt.Errorf("%w: %d bytes back, in a window of %d", errBeyondWindow, d, z.dir.window())
		}
	}
	// RFC 7692 §7.2.2: without the sender's no_context_takeover, the
	// receiver "MUST decompress each new message using the LZ77 sliding
	// window used to process the last compressed message".
	var dict []byte
	if z.dir.takeover {
		dict = z.window
	}
	src := bytes.NewReader(stream)
	if z.fr == nil {
		z.fr = flate.NewReaderDict(src, dict)
	} else if err := z.fr.(flate.Resetter).Reset(src, dict); err != nil {
		return nil, err
	}
	r := io.Reader(z.fr)
	if z.limit >= 0 {
		r = io.LimitReader(z.fr, z.limit+1)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNotDeflate, err)
	}
	if z.limit >= 0 && int64(len(out)) > z.limit {
		return nil, fmt.Errorf("%w of %d bytes", errInflatedTooBig, z.limit)
	}
	if z.dir.takeover {
		z.window = slide(z.window, out, z.dir.window())
	}
	return out, nil
}

// sendCompressed compresses each of s.Frames as one message and sends the
// messages in one write, each with RSV1 on its first frame (RFC 7692 §6).
func (p *peer) sendCompressed(s Step) {
	var b []byte
	var notes []string
	for _, f := range s.Frames {
		z := p.deflater.compress(f.Payload)
		size := s.Fragment
		if size <= 0 {
			size = max(len(z), 1)
		}
		fs := fragments(f.Opcode, z, size)
		fs[0].RSV |= 4
		for _, g := range fs {
			b = append(b, p.encode(g)...)
		}
		notes = append(notes, fmt.Sprintf("-> %s, compressed to %d bytes in %d frame(s) with RSV1 on the first",
			Event{Kind: Message, Type: f.Opcode, Data: f.Payload}, len(z), len(fs)))
	}
	at := p.since()
	if p.write(b) {
		for _, n := range notes {
			p.logf(at, "%s", n)
		}
	}
}
