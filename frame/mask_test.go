package frame

import (
	"bytes"
	"math"
	"testing"
)

// naiveMask is the definition of RFC 6455 §5.3, one byte at a time:
// "Octet i of the transformed data is the XOR of octet i of the original data
// with octet at index i modulo 4 of the masking key."
func naiveMask(key [4]byte, pos int, b []byte) {
	for i := range b {
		b[i] ^= key[(pos+i)%4]
	}
}

func TestMaskAgainstNaive(t *testing.T) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	data := seq(700)
	for n := 0; n <= 700; n++ {
		for pos := range 9 {
			// Mask a window in the middle of a larger buffer, so writes
			// outside [off, off+n) would show.
			for _, off := range []int{0, 1, 3} {
				got := bytes.Clone(data)
				want := bytes.Clone(data)
				next := Mask(key, pos, got[off:off+n])
				naiveMask(key, pos, want[off:off+n])
				if !bytes.Equal(got, want) {
					t.Fatalf("Mask(len %d, pos %d, offset %d) differs from the naive loop", n, pos, off)
				}
				if next != pos+n {
					t.Fatalf("Mask(len %d, pos %d) returned %d, want %d", n, pos, next, pos+n)
				}
			}
		}
	}
}

// TestMaskChunks masks a payload in pieces of every size and compares with
// masking it at once.
func TestMaskChunks(t *testing.T) {
	key := [4]byte{1, 0x80, 0xff, 0x7f}
	payload := seq(1000)
	want := bytes.Clone(payload)
	Mask(key, 0, want)
	for size := 1; size <= 300; size++ {
		got := bytes.Clone(payload)
		pos := 0
		for p := got; len(p) > 0; {
			n := min(size, len(p))
			pos = Mask(key, pos, p[:n])
			p = p[n:]
		}
		if pos != len(payload) || !bytes.Equal(got, want) {
			t.Fatalf("chunks of %d: differs from masking at once (pos %d)", size, pos)
		}
	}
}

func TestMaskTwiceRestores(t *testing.T) {
	key := [4]byte{0xde, 0xad, 0xbe, 0xef}
	b := seq(4099)
	Mask(key, 5, b)
	if bytes.Equal(b, seq(4099)) {
		t.Fatal("Mask changed nothing")
	}
	Mask(key, 5, b)
	if !bytes.Equal(b, seq(4099)) {
		t.Fatal("masking twice did not restore the bytes")
	}
}

// TestMaskNegativePos: a negative position is the caller's mistake, but it
// must not panic; it behaves as its value modulo 4.
func TestMaskNegativePos(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	for _, pos := range []int{-1, -2, -3, -4, -5, -1 << 30, math.MinInt} {
		for _, n := range []int{3, 64, 200} {
			got := seq(n)
			want := seq(n)
			next := Mask(key, pos, got)
			naiveMask(key, ((pos%4)+4)%4, want)
			if !bytes.Equal(got, want) || next != pos+n {
				t.Fatalf("Mask(pos %d, len %d) wrong", pos, n)
			}
		}
	}
}

func TestMaskZeroKeyAndEmpty(t *testing.T) {
	b := seq(300)
	if Mask([4]byte{}, 7, b) != 307 || !bytes.Equal(b, seq(300)) {
		t.Fatal("zero key changed the bytes")
	}
	if Mask([4]byte{1, 2, 3, 4}, 9, nil) != 9 {
		t.Fatal("nil slice: wrong position")
	}
}
