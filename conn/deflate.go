package conn

import (
	"bytes"
	"compress/flate"
	"context"
	"io"
	"math"
	"sync"
	"unicode/utf8"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// permessage-deflate (RFC 7692): a message whose first frame has RSV1 set
// carries its payload compressed with DEFLATE (RFC 1951), as one stream cut
// at a sync flush.
//
// Sending: Send compresses a whole message of at least the threshold with a
// pooled compress/flate writer, unless the connection keeps its own (context
// takeover, agreed and asked for). A window below 15 bits, which the peer
// may impose, is honoured by Huffman-only output: it refers to no earlier
// bytes at all. Streamed messages (Writer) go out uncompressed.
//
// Receiving: the compressed payload is put together like any whole message
// (the read limit bounds it on the wire), then inflated by a pooled reader
// into a message of its own, with the read limit counted on the inflated
// bytes: inflating stops at the first byte past it (1009). When the peer
// keeps its context, the connection keeps its last window of inflated bytes
// (up to 32 KiB) between messages, as the dictionary of the next.

// compression is a connection's permessage-deflate state, nil when none was
// negotiated. The sending half is the writers'; the receiving half
// (window) belongs to whoever holds the reading.
type compression struct {
	level     int // flate level of what we send
	threshold int // smaller payloads go out uncompressed

	// keep, if not nil, is our own compressor, kept between messages
	// (context takeover); keepMu orders compressing and queueing.
	keepMu sync.Mutex
	keep   *flate.Writer
	sink   *wbuf // where keep writes

	// peerKeeps: the peer compresses with context takeover, so window
	// holds the last inflated bytes (at most 1<<peerBits) for the next
	// message.
	peerKeeps bool
	peerBits  int
	window    []byte
	src       payloadSource // what the decompressor reads, kept to spare an allocation
}

// Compression configures permessage-deflate for [Accept] and [Dial]. A nil
// *Compression means no compression; every zero field means its default.
type Compression struct {
	// Level is the compress/flate level of the messages we send; 0 means
	// flate.BestSpeed.
	Level int
	// Threshold is the smallest payload, in bytes, that is sent compressed;
	// smaller ones go out as they are. 0 means DefaultCompressionThreshold;
	// a negative Threshold compresses every message.
	Threshold int
	// ContextTakeover keeps our compressor between messages when the
	// peer allows it: better ratios for small similar messages, at the cost
	// of a compressor per connection (about 1.2 MB at BestSpeed, 0.8 MB at
	// other levels). By default every message is compressed on its own by a
	// pooled compressor, shared by all connections.
	ContextTakeover bool
	// PeerContextTakeover lets the peer compress with context takeover.
	// The connection then keeps the peer's window (up to 32 KiB) between
	// messages. By default the peer is asked to compress each message on
	// its own (a server tells it so; a client asks for it).
	PeerContextTakeover bool
	// PeerMaxWindowBits, between 9 and 15, is the largest LZ77 window we
	// ask the peer to use where the negotiation lets us ask; 0 means 15.
	PeerMaxWindowBits int
}

// DefaultCompressionThreshold is the smallest payload compressed by default:
// below it, DEFLATE's block headers and the compressor's reset cost more
// than they save.
const DefaultCompressionThreshold = 512

// deflateOptions is c's negotiation policy, nil for none.
func (c *Compression) deflateOptions() *handshake.DeflateOptions {
	if c == nil {
		return nil
	}
	return &handshake.DeflateOptions{
		ContextTakeover:       c.ContextTakeover,
		PeerNoContextTakeover: !c.PeerContextTakeover,
		PeerMaxWindowBits:     c.PeerMaxWindowBits,
	}
}

// newCompression returns the state for agreement d, seen from role, with
// the policy of p (nil: the defaults).
func newCompression(d *handshake.Deflate, role frame.Role, p *Compression) *compression {
	if p == nil {
		p = &Compression{}
	}
	ownBits, ownFresh := d.ServerMaxWindowBits, d.ServerNoContextTakeover
	peerBits, peerFresh := d.ClientMaxWindowBits, d.ClientNoContextTakeover
	if role == frame.Client {
		ownBits, peerBits = peerBits, ownBits
		ownFresh, peerFresh = peerFresh, ownFresh
	}
	z := &compression{
		level:     p.Level,
		threshold: p.Threshold,
		peerKeeps: !peerFresh,
		peerBits:  peerBits,
	}
	if peerBits < 8 || peerBits > 15 {
		// Not negotiated (0), or not a window: keeping the largest one
		// is always safe.
		z.peerBits = 15
	}
	if z.level == 0 || z.level < flate.HuffmanOnly || z.level > flate.BestCompression {
		z.level = flate.BestSpeed
	}
	if ownBits > 0 && ownBits < 15 {
		// LZ77 matches may reach 32 KiB back; literals reach nothing.
		z.level = flate.HuffmanOnly
	}
	switch {
	case z.threshold == 0:
		z.threshold = DefaultCompressionThreshold
	case z.threshold < 0:
		z.threshold = 0
	}
	if p.ContextTakeover && !ownFresh {
		z.sink = &wbuf{}
		z.keep, _ = flate.NewWriter(z.sink, z.level) // the level was checked
	}
	return z
}

// Write appends p: a wbuf is where a compressor writes.
func (w *wbuf) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// flateWriters pools compressors by level (flate.HuffmanOnly .. 9).
var flateWriters [flate.BestCompression - flate.HuffmanOnly + 1]sync.Pool

// syncTail is what a sync flush ends with, and what RFC 7692 §7.2.1 strips:
// "Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end."
var syncTail = [4]byte{0x00, 0x00, 0xff, 0xff}

// sendMessage sends one whole message: compressed when the connection
// compresses and the payload is large enough.
func (c *Conn) sendMessage(ctx context.Context, op frame.Opcode, data []byte) error {
	z := c.z
	h := frame.Header{Fin: true, Opcode: op}
	if z == nil || len(data) < z.threshold {
		return c.writeData(ctx, h, data, false)
	}
	// RFC 7692 §6: the "Per-Message Compressed" bit is RSV1 of the first
	// frame.
	h.RSV1 = true
	if z.keep != nil {
		return c.sendKept(ctx, h, data)
	}
	out := getWbuf()
	defer putWbuf(out)
	deflateInto(out, z.level, data)
	return c.writeData(ctx, h, trimSync(out.b), false)
}

// sendKept compresses data with the connection's own compressor (context
// takeover) and queues it as the frame h: through writeData, or, with a nil
// ctx, through queueNow.
func (c *Conn) sendKept(ctx context.Context, h frame.Header, data []byte) error {
	z := c.z
	// The peer's inflater follows our stream: messages must be compressed
	// in the order they are queued.
	z.keepMu.Lock()
	defer z.keepMu.Unlock()
	z.sink.b = z.sink.b[:0]
	z.keep.Write(data)
	z.keep.Flush()
	var err error
	if ctx == nil {
		err = c.queueNow(h, trimSync(z.sink.b))
	} else {
		err = c.writeData(ctx, h, trimSync(z.sink.b), false)
	}
	if err != nil {
		// The message may never reach the peer, whose window would then
		// lack what our compressor remembers: start afresh, which any
		// peer's inflater follows.
		z.keep.Reset(z.sink)
	}
	if cap(z.sink.b) > maxKeptBuffer {
		z.sink.b = nil
	}
	return err
}

// deflateInto appends data compressed at level, as one DEFLATE stream cut at
// a sync flush, to out, with a pooled compressor that keeps no context.
func deflateInto(out *wbuf, level int, data []byte) {
	pool := &flateWriters[level-flate.HuffmanOnly]
	fw, _ := pool.Get().(*flate.Writer)
	if fw == nil {
		fw, _ = flate.NewWriter(out, level) // the level was checked
	} else {
		fw.Reset(out)
	}
	fw.Write(data) // writes to a wbuf do not fail
	fw.Flush()
	pool.Put(fw)
}

// trimSync strips the sync flush's tail from a compressed message.
func trimSync(b []byte) []byte { return b[:len(b)-len(syncTail)] }

// errBadDeflate: a compressed message does not inflate.
var errBadDeflate = &frame.ProtocolError{Code: frame.StatusInvalidFramePayloadData, Reason: "invalid compressed message"}

// flateReaders pools decompressors; each keeps a 32 KiB window, so any
// negotiated window size is read.
var flateReaders sync.Pool

// noPayload is what a pooled decompressor holds: it is never read.
var noPayload = bytes.NewReader(nil)

// inflateTail ends a message's compressed payload: the sync flush's tail
// that the sender stripped, and an empty final stored block, so that the
// decompressor reports io.EOF at the message's end.
var inflateTail = []byte{0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff}

// inflate returns the message whose compressed payload is m.Data, inflated,
// or the error that fails the connection: errBadDeflate, or
// frame.ErrMessageTooBig past limit (< 0: none) inflated bytes. m.Data is
// released. The caller holds the reading.
func (z *compression) inflate(m Message, limit int64) (Message, error) {
	src := &z.src
	*src = payloadSource{parts: [2][]byte{m.Data, inflateTail}}
	fr, _ := flateReaders.Get().(io.ReadCloser)
	if fr == nil {
		fr = flate.NewReader(src)
	}
	fr.(flate.Resetter).Reset(src, z.window) // nil without takeover
	out, err := readInflated(fr, len(m.Data), limit)
	fr.(flate.Resetter).Reset(noPayload, nil) // let go of the connection
	flateReaders.Put(fr)
	*src = payloadSource{}
	m.Release()
	if err == nil && m.Type == Text && !utf8.Valid(out) {
		// RFC 6455 §8.1 applies to the inflated text (RFC 7692 §6).
		err = frame.ErrInvalidUTF8
	}
	if err != nil {
		releaseBuf(out)
		return Message{}, err
	}
	if z.peerKeeps {
		z.remember(out)
	}
	return received(m.Type, out), nil
}

// readInflated reads fr to its end into a message buffer that doubles from
// about the compressed size, refusing more than limit bytes (< 0: none).
func readInflated(fr io.Reader, compressed int, limit int64) ([]byte, error) {
	// limit+1 bytes prove the message too big: they must fit an int.
	limit = min(intLimit(limit), math.MaxInt-1)
	size := int(min(max(2*int64(compressed), 512), limit+1))
	out := msgBuf(size)[:0]
	for {
		if len(out) == cap(out) {
			// Full, yet at most limit bytes (checked below): room remains.
			next := int(min(2*int64(cap(out)), limit+1))
			b := msgBuf(next)[:len(out)]
			copy(b, out)
			releaseBuf(out)
			out = b
		}
		n, err := fr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if int64(len(out)) > limit {
			return out, frame.ErrMessageTooBig
		}
		switch {
		case err == io.EOF:
			return out, nil
		case err != nil:
			return out, errBadDeflate
		}
	}
}

// remember keeps the last window of what the peer sent, the dictionary of
// its next message.
func (z *compression) remember(out []byte) {
	size := 1 << z.peerBits
	if len(out) >= size {
		z.window = append(z.window[:0], out[len(out)-size:]...)
		return
	}
	keep := min(len(z.window), size-len(out))
	z.window = append(z.window[:0], z.window[len(z.window)-keep:]...)
	z.window = append(z.window, out...)
}

// payloadSource reads the parts one after the other. It is an
// io.ByteReader, so compress/flate reads it without a bufio.Reader of its
// own.
type payloadSource struct {
	parts [2][]byte
	i     int
}

func (s *payloadSource) Read(p []byte) (int, error) {
	for s.i < len(s.parts) {
		if n := copy(p, s.parts[s.i]); n > 0 {
			s.parts[s.i] = s.parts[s.i][n:]
			return n, nil
		}
		s.i++
	}
	return 0, io.EOF
}

func (s *payloadSource) ReadByte() (byte, error) {
	for s.i < len(s.parts) {
		if p := s.parts[s.i]; len(p) > 0 {
			s.parts[s.i] = p[1:]
			return p[0], nil
		}
		s.i++
	}
	return 0, io.EOF
}
