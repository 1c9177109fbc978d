package frame

import (
	"encoding/binary"
	"errors"
	"io"
)

// Header is the fixed part of a frame (RFC 6455 §5.2): everything before the
// payload.
type Header struct {
	Fin              bool
	RSV1, RSV2, RSV3 bool
	Opcode           Opcode
	Masked           bool
	Key              [4]byte // the masking key; meaningful only when Masked
	// Length is the payload length as declared on the wire. A 64-bit length
	// with its most significant bit set, which RFC 6455 forbids, comes out
	// negative; [Check] rejects it.
	Length int64
}

// MaxHeaderSize is the longest a header can be: 2 bytes, an 8-byte extended
// length and a 4-byte masking key.
const MaxHeaderSize = 14

// ErrShortHeader is returned by [ParseHeader] when b does not yet hold a whole
// header. It is not a protocol violation: read more bytes and try again.
var ErrShortHeader = errors.New("frame: short header")

var errSmallBuffer = errors.New("frame: header buffer shorter than MaxHeaderSize")

const (
	bitFin  = 0x80
	bitRSV1 = 0x40
	bitRSV2 = 0x20
	bitRSV3 = 0x10
	bitMask = 0x80

	len16 = 126 // the 7-bit length value announcing a 16-bit length
	len64 = 127 // the 7-bit length value announcing a 64-bit length
)

// headerSize returns the size of the header whose first two bytes are b0, b1.
func headerSize(b1 byte) int {
	n := 2
	switch b1 &^ bitMask {
	case len16:
		n += 2
	case len64:
		n += 8
	}
	if b1&bitMask != 0 {
		n += 4
	}
	return n
}

// ParseHeader decodes the header at the start of b and returns it with the
// number of bytes it took. When b is too short it returns [ErrShortHeader] and
// n = 0. It judges nothing: reserved bits and opcodes, unmasked frames and
// lengths with the top bit set come back as they are; [Check] decides whether
// they are legal. It reads only the header and never allocates.
func ParseHeader(b []byte) (Header, int, error) {
	var h Header
	n, err := parseHeader(&h, b)
	return h, n, err
}

// parseHeader is ParseHeader writing into *h, which it leaves alone unless b
// holds a whole header. [Parser] decodes into its own Header this way: a
// Header returned by value is copied in wide moves right after its fields
// were stored one by one, and that stalls the CPU (a store cannot be
// forwarded to a wider load), which cost more than the rest of parsing a
// small frame (BenchmarkParserFeed).
func parseHeader(h *Header, b []byte) (int, error) {
	if len(b) < 2 {
		return 0, ErrShortHeader
	}
	n := headerSize(b[1])
	if len(b) < n {
		return 0, ErrShortHeader
	}
	b0, b1 := b[0], b[1]
	h.Fin = b0&bitFin != 0
	h.RSV1 = b0&bitRSV1 != 0
	h.RSV2 = b0&bitRSV2 != 0
	h.RSV3 = b0&bitRSV3 != 0
	h.Opcode = Opcode(b0 & 0x0F)
	h.Masked = b1&bitMask != 0
	p := 2
	switch l := b1 &^ bitMask; l {
	case len16:
		h.Length = int64(binary.BigEndian.Uint16(b[p:]))
		p += 2
	case len64:
		h.Length = int64(binary.BigEndian.Uint64(b[p:]))
		p += 8
	default:
		h.Length = int64(l)
	}
	if h.Masked {
		copy(h.Key[:], b[p:p+4])
	} else {
		h.Key = [4]byte{}
	}
	return n, nil
}

// AppendHeader appends the wire form of h to dst and returns the extended
// slice. The length takes the shortest form (RFC 6455 §5.2: "the minimal
// number of bytes MUST be used to encode the length"). It encodes anything it
// is given, legal or not: a negative Length is written as the 64-bit pattern
// of its two's complement, which [ParseHeader] turns back into the same
// negative number. An Opcode above 0xF keeps only its low four bits.
func AppendHeader(dst []byte, h Header) []byte {
	var b0, b1 byte
	if h.Fin {
		b0 |= bitFin
	}
	if h.RSV1 {
		b0 |= bitRSV1
	}
	if h.RSV2 {
		b0 |= bitRSV2
	}
	if h.RSV3 {
		b0 |= bitRSV3
	}
	b0 |= byte(h.Opcode) & 0x0F
	if h.Masked {
		b1 |= bitMask
	}
	switch {
	case h.Length >= 0 && h.Length <= 125:
		dst = append(dst, b0, b1|byte(h.Length))
	case h.Length >= 0 && h.Length <= 0xFFFF:
		dst = append(dst, b0, b1|len16)
		dst = binary.BigEndian.AppendUint16(dst, uint16(h.Length))
	default:
		dst = append(dst, b0, b1|len64)
		dst = binary.BigEndian.AppendUint64(dst, uint64(h.Length))
	}
	if h.Masked {
		dst = append(dst, h.Key[:]...)
	}
	return dst
}

// ReadHeader reads exactly one header from r, using buf (at least
// [MaxHeaderSize] bytes long) as scratch space, and reads nothing beyond it.
// It returns io.EOF if r ends before the first byte, io.ErrUnexpectedEOF if it
// ends inside the header, or the reader's error. Like [ParseHeader] it judges
// nothing, and it does not allocate.
func ReadHeader(r io.Reader, buf []byte) (Header, error) {
	if len(buf) < MaxHeaderSize {
		return Header{}, errSmallBuffer
	}
	if _, err := io.ReadFull(r, buf[:2]); err != nil {
		return Header{}, err
	}
	n := headerSize(buf[1])
	if _, err := io.ReadFull(r, buf[2:n]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Header{}, err
	}
	h, _, err := ParseHeader(buf[:n])
	return h, err
}
