package frame

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unicode/utf8"
)

// FuzzHeader: parse -> append -> parse gives the same header, appending is
// never longer than the input, and ReadHeader agrees with ParseHeader.
func FuzzHeader(f *testing.F) {
	for _, tt := range wireTests {
		f.Add(tt.header)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		h, n, err := ParseHeader(in)
		rh, rerr := ReadHeader(bytes.NewReader(in), make([]byte, MaxHeaderSize))
		if err != nil {
			if err != ErrShortHeader || n != 0 || len(in) >= MaxHeaderSize {
				t.Fatalf("ParseHeader(% x) = %d, %v", in, n, err)
			}
			if rerr == nil {
				t.Fatalf("ReadHeader read a header ParseHeader found short: %+v", rh)
			}
			return
		}
		if rerr != nil || rh != h {
			t.Fatalf("ReadHeader = %+v, %v; ParseHeader = %+v", rh, rerr, h)
		}
		out := AppendHeader(nil, h)
		h2, n2, err := ParseHeader(out)
		if err != nil || h2 != h || n2 != len(out) {
			t.Fatalf("round trip of % x: %+v, %d, %v; want %+v", in[:n], h2, n2, err, h)
		}
		if len(out) > n {
			t.Fatalf("append of % x is longer: % x", in[:n], out)
		}
		if len(out) == n && !bytes.Equal(out, in[:n]) {
			t.Fatalf("same length, different bytes: % x -> % x", in[:n], out)
		}
	})
}

// FuzzUTF8 feeds data in pieces whose sizes come from cuts, and checks the
// result against utf8.Valid on the whole and the failing index against the
// definition: everything before it can still become valid UTF-8, and the
// byte itself cannot.
func FuzzUTF8(f *testing.F) {
	for _, s := range validTexts {
		f.Add([]byte(s), []byte{1, 2, 3})
	}
	for _, tt := range invalidTexts {
		f.Add([]byte(tt.text), []byte{1})
	}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		var v UTF8Validator
		off, failAt := 0, -1
		for i := 0; off < len(data); i++ {
			n := len(data) - off
			// A cut of 0 feeds an empty piece; after enough pieces the rest
			// goes at once, so cuts of only zeros still end.
			if len(cuts) > 0 && i <= len(data)+len(cuts) {
				n = min(n, int(cuts[i%len(cuts)]))
			}
			got, err := v.Validate(data[off : off+n])
			if err != nil {
				failAt = off + got
				break
			}
			if got != n {
				t.Fatalf("Validate = %d, nil; want %d", got, n)
			}
			off += n
		}
		finished := v.Finish() == nil
		if failAt < 0 {
			if finished != utf8.Valid(data) {
				t.Fatalf("% x: Finish accepted=%v, utf8.Valid=%v", data, finished, utf8.Valid(data))
			}
			if !finished && !prefixOfValid(data) {
				t.Fatalf("% x: no byte failed, but the input is no prefix of valid UTF-8", data)
			}
			return
		}
		if finished || utf8.Valid(data) {
			t.Fatalf("% x: failed at %d, but the input is valid", data, failAt)
		}
		if !prefixOfValid(data[:failAt]) || prefixOfValid(data[:failAt+1]) {
			t.Fatalf("% x: failed at %d, which is not the first impossible byte", data, failAt)
		}
	})
}

// FuzzMask compares Mask at any position and length, in two pieces, with the
// byte-at-a-time definition.
func FuzzMask(f *testing.F) {
	f.Add(uint32(0x37fa213d), 0, []byte("Hello"), uint16(2))
	f.Add(uint32(0xffffffff), 3, bytes.Repeat([]byte{0xa5}, 300), uint16(129))
	f.Add(uint32(1), -7, seq(1000), uint16(7))
	f.Fuzz(func(t *testing.T, k uint32, pos int, data []byte, cut uint16) {
		var key [4]byte
		binary.LittleEndian.PutUint32(key[:], k)
		want := bytes.Clone(data)
		p := ((pos % 4) + 4) % 4
		for i := range want {
			want[i] ^= key[(p+i)%4]
		}
		got := bytes.Clone(data)
		c := min(int(cut), len(got))
		next := Mask(key, pos, got[:c])
		next = Mask(key, next, got[c:])
		if next != pos+len(data) || !bytes.Equal(got, want) {
			t.Fatalf("key %08x pos %d len %d cut %d: wrong bytes or position %d", k, pos, len(data), c, next)
		}
	})
}

// FuzzParseClose: an accepted payload re-encodes to itself; a refused one
// gets the sentinel its defect calls for.
func FuzzParseClose(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x03})
	f.Add([]byte("\x03\xe8bye"))
	f.Add([]byte("\x03\xed"))
	f.Add([]byte("\x0f\xa0\xed\xa0\x80"))
	f.Fuzz(func(t *testing.T, payload []byte) {
		code, reason, err := ParseClose(payload)
		switch {
		case len(payload) == 0:
			if code != StatusNoStatusRcvd || reason != "" || err != nil {
				t.Fatalf("empty payload: %d, %q, %v", code, reason, err)
			}
		case len(payload) == 1:
			if err != ErrCloseTooShort {
				t.Fatalf("one byte: %v", err)
			}
		case !StatusCode(binary.BigEndian.Uint16(payload)).ValidOnWire():
			if err != ErrInvalidCloseCode {
				t.Fatalf("% x: %v, want ErrInvalidCloseCode", payload, err)
			}
		case !utf8.Valid(payload[2:]):
			if err != ErrInvalidCloseReason {
				t.Fatalf("% x: %v, want ErrInvalidCloseReason", payload, err)
			}
		default:
			if err != nil || !bytes.Equal(AppendClose(nil, code, reason), payload) {
				t.Fatalf("% x: %d, %q, %v", payload, code, reason, err)
			}
			if len(payload) <= MaxControlPayload && CheckClose(code, reason) != nil {
				t.Fatalf("% x: accepted from the peer but CheckClose refuses it: %v", payload, CheckClose(code, reason))
			}
		}
	})
}
