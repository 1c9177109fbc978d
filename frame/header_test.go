package frame

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"
)

// seq returns n bytes counting up from 0, wrapping at 256.
func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// wireTests drives both encoding and decoding: header is the exact wire form
// of h, body the exact wire form of the payload (masked when h.Masked), and
// data the payload an application sees.
var wireTests = []struct {
	name   string
	h      Header
	header []byte
	body   []byte
	data   []byte
}{
	// RFC 6455 §5.7 examples.
	{
		name:   "5.7 single-frame unmasked text Hello",
		h:      Header{Fin: true, Opcode: OpText, Length: 5},
		header: []byte{0x81, 0x05},
		body:   []byte{0x48, 0x65, 0x6c, 0x6c, 0x6f},
		data:   []byte("Hello"),
	},
	{
		name:   "5.7 single-frame masked text Hello",
		h:      Header{Fin: true, Opcode: OpText, Masked: true, Key: [4]byte{0x37, 0xfa, 0x21, 0x3d}, Length: 5},
		header: []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d},
		body:   []byte{0x7f, 0x9f, 0x4d, 0x51, 0x58},
		data:   []byte("Hello"),
	},
	{
		name:   "5.7 fragmented unmasked text, first fragment Hel",
		h:      Header{Opcode: OpText, Length: 3},
		header: []byte{0x01, 0x03},
		body:   []byte{0x48, 0x65, 0x6c},
		data:   []byte("Hel"),
	},
	{
		name:   "5.7 fragmented unmasked text, last fragment lo",
		h:      Header{Fin: true, Opcode: OpContinuation, Length: 2},
		header: []byte{0x80, 0x02},
		body:   []byte{0x6c, 0x6f},
		data:   []byte("lo"),
	},
	{
		name:   "5.7 unmasked ping Hello",
		h:      Header{Fin: true, Opcode: OpPing, Length: 5},
		header: []byte{0x89, 0x05},
		body:   []byte{0x48, 0x65, 0x6c, 0x6c, 0x6f},
		data:   []byte("Hello"),
	},
	{
		name:   "5.7 masked pong Hello",
		h:      Header{Fin: true, Opcode: OpPong, Masked: true, Key: [4]byte{0x37, 0xfa, 0x21, 0x3d}, Length: 5},
		header: []byte{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d},
		body:   []byte{0x7f, 0x9f, 0x4d, 0x51, 0x58},
		data:   []byte("Hello"),
	},
	{
		name:   "5.7 256 bytes binary in a single unmasked frame",
		h:      Header{Fin: true, Opcode: OpBinary, Length: 256},
		header: []byte{0x82, 0x7e, 0x01, 0x00},
		body:   seq(256),
		data:   seq(256),
	},
	{
		name:   "5.7 64KiB binary in a single unmasked frame",
		h:      Header{Fin: true, Opcode: OpBinary, Length: 65536},
		header: []byte{0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00},
		body:   seq(65536),
		data:   seq(65536),
	},
	// Length encoding boundaries.
	{
		name:   "empty close",
		h:      Header{Fin: true, Opcode: OpClose},
		header: []byte{0x88, 0x00},
	},
	{
		name:   "125 bytes in the 7-bit length",
		h:      Header{Fin: true, Opcode: OpBinary, Length: 125},
		header: []byte{0x82, 0x7d},
		body:   seq(125),
		data:   seq(125),
	},
	{
		name:   "126 bytes needs the 16-bit length",
		h:      Header{Fin: true, Opcode: OpBinary, Length: 126},
		header: []byte{0x82, 0x7e, 0x00, 0x7e},
		body:   seq(126),
		data:   seq(126),
	},
	{
		name:   "65535 bytes, the largest 16-bit length, masked",
		h:      Header{Fin: true, Opcode: OpBinary, Masked: true, Key: [4]byte{1, 2, 3, 4}, Length: 65535},
		header: []byte{0x82, 0xfe, 0xff, 0xff, 0x01, 0x02, 0x03, 0x04},
		body:   maskedSeq([4]byte{1, 2, 3, 4}, 65535),
		data:   seq(65535),
	},
	{
		name:   "all RSV bits and a reserved opcode",
		h:      Header{Fin: true, RSV1: true, RSV2: true, RSV3: true, Opcode: 0xB, Length: 0},
		header: []byte{0xfb, 0x00},
	},
	{
		name:   "RSV2 alone, FIN clear, binary",
		h:      Header{RSV2: true, Opcode: OpBinary},
		header: []byte{0x22, 0x00},
	},
	// Header only: lengths too large to carry a body in a test.
	{
		name:   "largest legal 64-bit length",
		h:      Header{Fin: true, Opcode: OpBinary, Length: math.MaxInt64},
		header: []byte{0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	},
	{
		name:   "2^62",
		h:      Header{Fin: true, Opcode: OpText, Masked: true, Key: [4]byte{9, 8, 7, 6}, Length: 1 << 62},
		header: []byte{0x81, 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x09, 0x08, 0x07, 0x06},
	},
	{
		name:   "64-bit length with only the top bit set",
		h:      Header{Fin: true, Opcode: OpBinary, Length: math.MinInt64},
		header: []byte{0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0},
	},
	{
		name:   "64-bit length of all ones",
		h:      Header{Fin: true, Opcode: OpBinary, Length: -1},
		header: []byte{0x82, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	},
}

func maskedSeq(key [4]byte, n int) []byte {
	b := seq(n)
	for i := range b {
		b[i] ^= key[i%4]
	}
	return b
}

func TestAppendHeaderWire(t *testing.T) {
	for _, tt := range wireTests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendHeader(nil, tt.h)
			if !bytes.Equal(got, tt.header) {
				t.Fatalf("AppendHeader = % x, want % x", got, tt.header)
			}
			prefix := []byte("prefix")
			got = AppendHeader(prefix, tt.h)
			if !bytes.Equal(got[:len(prefix)], []byte("prefix")) || !bytes.Equal(got[len(prefix):], tt.header) {
				t.Fatalf("AppendHeader(prefix) = % x", got)
			}
			if tt.data != nil {
				body := bytes.Clone(tt.data)
				if tt.h.Masked {
					Mask(tt.h.Key, 0, body)
				}
				if !bytes.Equal(body, tt.body) {
					t.Fatalf("masked body differs from the wire bytes")
				}
			}
		})
	}
}

func TestParseHeaderWire(t *testing.T) {
	for _, tt := range wireTests {
		t.Run(tt.name, func(t *testing.T) {
			frame := append(bytes.Clone(tt.header), tt.body...)
			h, n, err := ParseHeader(frame)
			if err != nil {
				t.Fatalf("ParseHeader: %v", err)
			}
			if h != tt.h || n != len(tt.header) {
				t.Fatalf("ParseHeader = %+v, %d; want %+v, %d", h, n, tt.h, len(tt.header))
			}
			body := bytes.Clone(frame[n:])
			if h.Masked {
				Mask(h.Key, 0, body)
			}
			if !bytes.Equal(body, tt.data) && len(body)+len(tt.data) > 0 {
				t.Fatalf("unmasked body differs from the payload")
			}
		})
	}
}

// TestParseHeaderSplit cuts every header at every byte: each proper prefix is
// short, and the whole header parses the same with or without payload after it.
func TestParseHeaderSplit(t *testing.T) {
	for _, tt := range wireTests {
		t.Run(tt.name, func(t *testing.T) {
			for k := range len(tt.header) {
				h, n, err := ParseHeader(tt.header[:k])
				if err != ErrShortHeader || n != 0 || h != (Header{}) {
					t.Fatalf("ParseHeader(first %d bytes) = %+v, %d, %v; want ErrShortHeader", k, h, n, err)
				}
			}
			h, n, err := ParseHeader(tt.header)
			if err != nil || h != tt.h || n != len(tt.header) {
				t.Fatalf("ParseHeader(exact) = %+v, %d, %v", h, n, err)
			}
		})
	}
}

// TestReadHeader reads each frame through readers that return the bytes in
// awkward pieces, and checks that exactly the header is consumed.
func TestReadHeader(t *testing.T) {
	// DataErrReader reads one chunk ahead, so it gets the header alone, and
	// returns its last bytes together with io.EOF.
	readers := []struct {
		name       string
		wrap       func(io.Reader) io.Reader
		headerOnly bool
	}{
		{"plain", func(r io.Reader) io.Reader { return r }, false},
		{"OneByteReader", iotest.OneByteReader, false},
		{"HalfReader", iotest.HalfReader, false},
		{"DataErrReader", iotest.DataErrReader, true},
		{"DataErrReader(OneByteReader)", func(r io.Reader) io.Reader { return iotest.DataErrReader(iotest.OneByteReader(r)) }, true},
	}
	for _, tt := range wireTests {
		for _, rd := range readers {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				frame := bytes.Clone(tt.header)
				body := tt.body
				if rd.headerOnly {
					body = nil
				}
				frame = append(frame, body...)
				src := bytes.NewReader(frame)
				buf := make([]byte, MaxHeaderSize)
				h, err := ReadHeader(rd.wrap(src), buf)
				if err != nil {
					t.Fatalf("ReadHeader: %v", err)
				}
				if h != tt.h {
					t.Fatalf("ReadHeader = %+v, want %+v", h, tt.h)
				}
				if left := src.Len(); left != len(body) {
					t.Fatalf("ReadHeader left %d bytes, want %d (the body)", left, len(body))
				}
			})
		}
	}
}

// TestReadHeaderTruncated ends the stream at every byte of every header.
func TestReadHeaderTruncated(t *testing.T) {
	for _, tt := range wireTests {
		t.Run(tt.name, func(t *testing.T) {
			for k := range len(tt.header) {
				want := io.ErrUnexpectedEOF
				if k == 0 {
					want = io.EOF
				}
				for _, r := range []io.Reader{
					bytes.NewReader(tt.header[:k]),
					iotest.OneByteReader(bytes.NewReader(tt.header[:k])),
					iotest.DataErrReader(bytes.NewReader(tt.header[:k])),
				} {
					_, err := ReadHeader(r, make([]byte, MaxHeaderSize))
					if err != want {
						t.Fatalf("ReadHeader(first %d bytes) error = %v, want %v", k, err, want)
					}
				}
			}
		})
	}
}

func TestReadHeaderErrors(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		r    io.Reader
		buf  []byte
		want error
	}{
		{"reader error at once", iotest.ErrReader(boom), make([]byte, MaxHeaderSize), boom},
		{"reader error after two bytes", io.MultiReader(strings.NewReader("\x82\x7e"), iotest.ErrReader(boom)), make([]byte, MaxHeaderSize), boom},
		{"timeout", iotest.TimeoutReader(iotest.OneByteReader(strings.NewReader("\x82\x05"))), make([]byte, MaxHeaderSize), iotest.ErrTimeout},
		{"buffer too small", strings.NewReader("\x81\x05"), make([]byte, MaxHeaderSize-1), errSmallBuffer},
		{"nil buffer", strings.NewReader("\x81\x05"), nil, errSmallBuffer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ReadHeader(tt.r, tt.buf); !errors.Is(err, tt.want) {
				t.Fatalf("ReadHeader error = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestHeaderAllFirstBytes runs every combination of the two fixed bytes,
// each with an extended length and key where they announce one, through
// parse -> append -> parse.
func TestHeaderAllFirstBytes(t *testing.T) {
	ext := []byte{0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xa1, 0xa2, 0xa3, 0xa4}
	for b0 := range 256 {
		for b1 := range 256 {
			in := append([]byte{byte(b0), byte(b1)}, ext...)
			h, n, err := ParseHeader(in)
			if err != nil {
				t.Fatalf("ParseHeader(% x): %v", in[:2], err)
			}
			if n < 2 || n > MaxHeaderSize {
				t.Fatalf("ParseHeader(% x): n = %d", in[:2], n)
			}
			if h.Fin != (b0&0x80 != 0) || h.RSV1 != (b0&0x40 != 0) || h.RSV2 != (b0&0x20 != 0) ||
				h.RSV3 != (b0&0x10 != 0) || h.Opcode != Opcode(b0&0xf) || h.Masked != (b1&0x80 != 0) {
				t.Fatalf("ParseHeader(% x) = %+v: bits differ", in[:2], h)
			}
			out := AppendHeader(nil, h)
			h2, n2, err := ParseHeader(out)
			if err != nil || h2 != h || n2 != len(out) {
				t.Fatalf("round trip of % x: %+v, %d, %v; want %+v", in[:n], h2, n2, err, h)
			}
			if len(out) > n {
				t.Fatalf("AppendHeader(%+v) is %d bytes, longer than the %d it was parsed from", h, len(out), n)
			}
		}
	}
}

// TestAppendHeaderMinimal checks the length form around each boundary.
func TestAppendHeaderMinimal(t *testing.T) {
	tests := []struct {
		name   string
		length int64
		size   int // header size, unmasked
	}{
		{"0", 0, 2}, {"125", 125, 2}, {"126", 126, 4}, {"65535", 65535, 4},
		{"65536", 65536, 10}, {"max int64", math.MaxInt64, 10}, {"-1", -1, 10},
		{"min int64", math.MinInt64, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, masked := range []bool{false, true} {
				h := Header{Fin: true, Opcode: OpBinary, Masked: masked, Length: tt.length}
				b := AppendHeader(nil, h)
				want := tt.size
				if masked {
					want += 4
				}
				if len(b) != want {
					t.Fatalf("masked=%v: %d bytes, want %d", masked, len(b), want)
				}
				if got, _, _ := ParseHeader(b); got.Length != tt.length {
					t.Fatalf("masked=%v: length read back %d", masked, got.Length)
				}
			}
		})
	}
}

func TestAppendHeaderWideOpcode(t *testing.T) {
	b := AppendHeader(nil, Header{Fin: true, Opcode: 0x21})
	if !bytes.Equal(b, []byte{0x81, 0x00}) {
		t.Fatalf("AppendHeader with opcode 0x21 = % x, want 81 00", b)
	}
}

func TestHeaderAllocs(t *testing.T) {
	wire := AppendHeader(nil, Header{Fin: true, Opcode: OpBinary, Masked: true, Length: 1 << 62})
	buf := make([]byte, 0, MaxHeaderSize)
	rbuf := make([]byte, MaxHeaderSize)
	r := bytes.NewReader(wire)
	tests := []struct {
		name string
		f    func()
	}{
		{"ParseHeader", func() { ParseHeader(wire) }},
		{"AppendHeader", func() { buf = AppendHeader(buf[:0], Header{Opcode: OpText, Length: 1 << 40}) }},
		{"ReadHeader", func() { r.Reset(wire); ReadHeader(r, rbuf) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, tt.f); n != 0 {
				t.Fatalf("%s: %v allocations per call, want 0", tt.name, n)
			}
		})
	}
}

func TestOpcode(t *testing.T) {
	for o := range Opcode(255) {
		known := o == 0 || o == 1 || o == 2 || o == 8 || o == 9 || o == 10
		if o.IsReserved() == known {
			t.Errorf("Opcode(%#x).IsReserved() = %v", byte(o), o.IsReserved())
		}
		if o.IsControl() != (o >= 8) {
			t.Errorf("Opcode(%#x).IsControl() = %v", byte(o), o.IsControl())
		}
		if s := o.String(); s == "" || (!known && !strings.HasPrefix(s, "reserved(0x")) {
			t.Errorf("Opcode(%#x).String() = %q", byte(o), s)
		}
	}
	names := map[Opcode]string{OpContinuation: "continuation", OpText: "text", OpBinary: "binary",
		OpClose: "close", OpPing: "ping", OpPong: "pong", 0x3: "reserved(0x3)", 0xf: "reserved(0xf)"}
	for o, want := range names {
		if got := o.String(); got != want {
			t.Errorf("Opcode(%#x).String() = %q, want %q", byte(o), got, want)
		}
	}
}
