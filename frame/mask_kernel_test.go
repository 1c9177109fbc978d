package frame

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// maskReference is the Go loop alone: the fallback every platform has, and
// the reference a vector kernel must match.
func maskReference(b []byte, k uint64) { maskWords(b, k) }

// TestMaskVectorsAgainstGo runs the platform's vector kernel (none under the
// purego tag or on other platforms) at every length up to 600 and every
// alignment within a cache line, and compares with the Go loop. Bytes
// outside the window must not change, and the kernel must stop at a
// multiple of 8 bytes, so that the Go loop continues in the key's phase.
func TestMaskVectorsAgainstGo(t *testing.T) {
	const k = 0x3d21fa37_3d21fa37
	data := seq(600 + 64 + 64)
	for n := 0; n <= 600; n++ {
		for off := range 64 {
			got := bytes.Clone(data)
			want := bytes.Clone(data)
			w := got[off : off+n]
			done := maskVectors(w, k)
			if done < 0 || done > n || done%8 != 0 {
				t.Fatalf("len %d offset %d: the kernel reports %d bytes done", n, off, done)
			}
			maskWords(w[done:], k)
			maskReference(want[off:off+n], k)
			if !bytes.Equal(got, want) {
				t.Fatalf("len %d offset %d: kernel + Go loop differ from the Go loop", n, off)
			}
		}
	}
}

// FuzzMaskVectors compares the vector kernel with the Go loop on any bytes,
// key and alignment.
func FuzzMaskVectors(f *testing.F) {
	f.Add(uint64(0x3d21fa37_3d21fa37), uint8(0), seq(300))
	f.Add(uint64(0xffffffff_ffffffff), uint8(5), seq(1000))
	f.Fuzz(func(t *testing.T, k uint64, off uint8, data []byte) {
		o := min(int(off)%64, len(data))
		got := bytes.Clone(data)
		want := bytes.Clone(data)
		done := maskVectors(got[o:], k)
		if done%8 != 0 || done > len(data)-o {
			t.Fatalf("kernel reports %d of %d bytes done", done, len(data)-o)
		}
		maskWords(got[o+done:], k)
		maskReference(want[o:], k)
		if !bytes.Equal(got, want) {
			t.Fatalf("key %x offset %d len %d: kernel + Go loop differ from the Go loop", k, o, len(data))
		}
	})
}

// The Go loop is itself held to the RFC's byte-at-a-time definition by
// TestMaskAgainstNaive and FuzzMask; this checks the pattern's byte order
// once more at the word level.
func TestMaskWordsByteOrder(t *testing.T) {
	b := make([]byte, 9)
	maskWords(b, binary.LittleEndian.Uint64([]byte{1, 2, 3, 4, 1, 2, 3, 4}))
	if want := []byte{1, 2, 3, 4, 1, 2, 3, 4, 1}; !bytes.Equal(b, want) {
		t.Fatalf("maskWords on zeros = %v, want %v", b, want)
	}
}
