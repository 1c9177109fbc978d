package frame

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
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

// FuzzParser feeds bytes to a Parser in pieces whose sizes come from cuts,
// through Parse and through Remaining and Payload, and compares the events
// and the error with feeding everything at once. feedParser checks the rest:
// no call consumes more than it was given or gives an event for nothing, and
// every error is a sticky *ProtocolError. The low bits of mode choose the
// role, permessage-deflate and a limit of 64 bytes.
func FuzzParser(f *testing.F) {
	seeds := [][]byte{
		{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f},                         // RFC 6455 §5.7 "Hello"
		{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}, // the same, masked
		{0x01, 0x03, 0x48, 0x65, 0x6c, 0x89, 0x00, 0x80, 0x02, 0x6c, 0x6f}, // "Hel", ping, "lo"
		{0x88, 0x02, 0x03, 0xe8, 0x81, 0x01, 0x41},                         // close, then nothing counts
		{0x01, 0x02, 0xce, 0xf4, 0x80, 0x01, 0x90},                         // UTF-8 failing in the next frame
		{0x82, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 1, 2}, // 2^40 bytes announced
		{0x89, 0x7e, 0x00, 0x7e},                                           // ping of 126 bytes
		{0xc1, 0x01, 0xff, 0x80, 0x00},                                     // RSV1
	}
	for i, s := range seeds {
		f.Add(s, []byte{1, 2, 3}, byte(i))
		f.Add(clientFrameBytes(s), []byte{5, 0, 1}, byte(i)|1)
	}
	f.Fuzz(func(t *testing.T, in, cuts []byte, mode byte) {
		role, st, limit := Client, State{}, int64(-1)
		if mode&1 != 0 {
			role = Server
		}
		if mode&2 != 0 {
			st.RSV1 = true
		}
		if mode&4 != 0 {
			limit = 64
		}
		pieces := make([]int, len(cuts))
		for i, c := range cuts {
			pieces[i] = int(c)
		}
		want, wantErr := feedParser(t, NewParser(role, st, limit), in, nil, false)
		for _, viaPayload := range []bool{false, true} {
			got, err := feedParser(t, NewParser(role, st, limit), in, pieces, viaPayload)
			if err != wantErr {
				t.Fatalf("pieces %v, Payload %v: error %v, at once %v", pieces, viaPayload, err, wantErr)
			}
			if d := cmp.Diff(want, got, eventCmp); d != "" {
				t.Fatalf("pieces %v, Payload %v: events (-at once +in pieces):\n%s", pieces, viaPayload, d)
			}
		}
	})
}

// clientFrameBytes masks every frame of a well-formed unmasked stream, as a
// client would send it, so that the seeds reach a server's parser; it stops
// at the first header it cannot take whole.
func clientFrameBytes(in []byte) []byte {
	var out []byte
	for {
		h, n, err := ParseHeader(in)
		if err != nil || h.Length < 0 || h.Length > int64(len(in)-n) {
			return out
		}
		h.Masked, h.Key = true, key57
		p := bytes.Clone(in[n : n+int(h.Length)])
		Mask(h.Key, 0, p)
		out = append(AppendHeader(out, h), p...)
		in = in[n+int(h.Length):]
	}
}
