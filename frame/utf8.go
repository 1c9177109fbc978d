package frame

import (
	"encoding/binary"
	"unicode/utf8"
)

// UTF8Validator checks that a byte stream is valid UTF-8 (RFC 3629, as RFC 6455
// §8.1 requires of text messages) while it arrives in pieces, and fails at the
// first byte that makes the stream impossible: "F4" then "90" fails at "90",
// because no code point above U+10FFFF exists, long before the sequence ends.
// RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but
// finds that the byte stream is not, in fact, a valid UTF-8 stream, that
// endpoint MUST _Fail the WebSocket Connection_."
//
// The zero value is ready to use, at the start of a stream.
type UTF8Validator struct {
	need   uint8 // continuation bytes still expected in the current sequence
	lo, hi byte  // the range allowed for the next continuation byte
	failed bool
}

// Validate checks p as the continuation of everything given since the last
// [UTF8Validator.Reset] or [UTF8Validator.Finish]. It returns len(p), nil while
// the stream can still become valid UTF-8. Otherwise it returns the number of
// bytes of p before the first impossible byte and [ErrInvalidUTF8]; after that
// every call fails until Reset.
func (v *UTF8Validator) Validate(p []byte) (int, error) {
	if v.failed {
		return 0, ErrInvalidUTF8
	}
	i := 0
	for ; v.need > 0 && i < len(p); i++ {
		if !v.step(p[i]) {
			return i, ErrInvalidUTF8
		}
	}
	rest := p[i:]
	// Fast path: ASCII, 32 bytes per turn while it lasts, then 8. As in
	// Mask, "more than" rather than "at least" 32 keeps the slice from
	// pointing past the end.
	rest = rest[:len(rest):len(rest)]
	for len(rest) > 32 {
		w := binary.LittleEndian.Uint64(rest) | binary.LittleEndian.Uint64(rest[8:]) |
			binary.LittleEndian.Uint64(rest[16:]) | binary.LittleEndian.Uint64(rest[24:])
		if w&asciiMask != 0 {
			break
		}
		rest = rest[32:]
	}
	for len(rest) >= 8 && binary.LittleEndian.Uint64(rest)&asciiMask == 0 {
		rest = rest[8:]
	}
	if len(rest) == 0 {
		return len(p), nil
	}
	// Leave out a sequence that p ends in the middle of, check everything
	// before it in bulk, then walk the tail byte by byte so the state carries
	// over to the next call.
	cut := len(rest) - incompleteTail(rest)
	start := len(p) - len(rest)
	if utf8.Valid(rest[:cut]) {
		start += cut
		rest = rest[cut:]
	}
	// Either the tail of at most 3 bytes, or (on an error somewhere) the whole
	// rest, to find the exact byte.
	for j, c := range rest {
		if !v.step(c) {
			return start + j, ErrInvalidUTF8
		}
	}
	return len(p), nil
}

// asciiMask has the high bit of every byte of a word: a word of ASCII has
// none of them.
const asciiMask = 0x8080808080808080

// incompleteTail returns the length of the sequence that b ends in the
// middle of: a lead byte of a 2-, 3- or 4-byte sequence within the last three
// bytes, followed by too few continuation bytes. It returns 0 if there is none
// (including when the tail is invalid: then the bulk check fails on it).
func incompleteTail(b []byte) int {
	for back := 1; back <= 3 && back <= len(b); back++ {
		c := b[len(b)-back]
		if c < 0x80 {
			return 0
		}
		if c < 0xC0 {
			continue // a continuation byte: look further back
		}
		if seqLen(c) > back {
			return back
		}
		return 0
	}
	return 0
}

// seqLen returns the length of the sequence lead byte c announces, or 0 for a
// byte that cannot start a sequence.
func seqLen(c byte) int {
	switch {
	case c < 0x80:
		return 1
	case c < 0xC2:
		return 0
	case c < 0xE0:
		return 2
	case c < 0xF0:
		return 3
	case c < 0xF5:
		return 4
	}
	return 0
}

// step advances the state machine by one byte and reports whether the stream
// is still possible.
func (v *UTF8Validator) step(c byte) bool {
	if v.need > 0 {
		if c < v.lo || c > v.hi {
			v.failed = true
			return false
		}
		v.need--
		v.lo, v.hi = 0x80, 0xBF
		return true
	}
	// Which bytes may follow a lead byte, from the well-formed byte sequences
	// of RFC 3629 §4: the first continuation byte is narrowed so that
	// overlong forms (E0, F0), surrogates U+D800–U+DFFF (ED) and code points
	// above U+10FFFF (F4) are impossible from their second byte on.
	v.lo, v.hi = 0x80, 0xBF
	switch {
	case c < 0x80:
		return true
	case c < 0xC2: // a lone continuation byte, or C0/C1 (always overlong)
		v.failed = true
		return false
	case c < 0xE0:
		v.need = 1
	case c == 0xE0:
		v.need, v.lo = 2, 0xA0
	case c == 0xED:
		v.need, v.hi = 2, 0x9F
	case c < 0xF0:
		v.need = 2
	case c == 0xF0:
		v.need, v.lo = 3, 0x90
	case c < 0xF4:
		v.need = 3
	case c == 0xF4:
		v.need, v.hi = 3, 0x8F
	default: // F5–FF: beyond U+10FFFF or not UTF-8 at all
		v.failed = true
		return false
	}
	return true
}

// Finish ends the stream: it returns [ErrInvalidUTF8] if the stream failed or
// stopped in the middle of a sequence, then resets the validator for the next
// stream.
func (v *UTF8Validator) Finish() error {
	bad := v.failed || v.need > 0
	v.Reset()
	if bad {
		return ErrInvalidUTF8
	}
	return nil
}

// Reset returns the validator to the start of a new stream.
func (v *UTF8Validator) Reset() { *v = UTF8Validator{} }
