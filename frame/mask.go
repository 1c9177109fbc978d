package frame

import "encoding/binary"

// Mask XORs b in place with the masking key (RFC 6455 §5.3): byte i of b is
// payload byte pos+i, so it is XORed with key[(pos+i) % 4]. It returns the
// position after b, so a payload masked in chunks,
//
//	pos = Mask(key, pos, chunk)
//
// comes out the same as if it were masked at once. Masking twice with the
// same key and position restores the bytes.
func Mask(key [4]byte, pos int, b []byte) int {
	next := pos + len(b)
	// uint(pos)&3 is pos mod 4 for any pos, negative included.
	shift := uint(pos) & 3
	if len(b) < 8 {
		for i := range b {
			b[i] ^= key[(shift+uint(i))&3]
		}
		return next
	}
	k32 := binary.LittleEndian.Uint32(key[:])
	// Rotate so that the lowest byte of the word is key[pos%4].
	k32 = k32>>(8*shift) | k32<<(32-8*shift)
	k := uint64(k32) | uint64(k32)<<32
	// A vector kernel, where the platform has one, takes a prefix of whole
	// vectors; the Go loop below, the reference and the fallback, does the
	// rest. Both work in multiples of 8 bytes, which keep the key's phase.
	maskWords(b[maskVectors(b, k):], k)
	return next
}

// maskWords XORs b with the 8-byte key pattern k, whose lowest byte goes
// with b[0].
func maskWords(b []byte, k uint64) {
	// 128 bytes per iteration: the compiler does not unroll loops, and with
	// 16 independent word updates per turn the loop overhead stops mattering
	// (BenchmarkMask against BenchmarkCopy; 64 bytes per turn was measurably
	// slower, 256 no faster). Fixing the capacity and looping while more than
	// (not exactly) 128 bytes are left keeps b[128:] from pointing past the
	// end, which spares the compiler a pointer fix-up per turn.
	b = b[:len(b):len(b)]
	for len(b) > 128 {
		v := b[:128:128]
		binary.LittleEndian.PutUint64(v[0:], binary.LittleEndian.Uint64(v[0:])^k)
		binary.LittleEndian.PutUint64(v[8:], binary.LittleEndian.Uint64(v[8:])^k)
		binary.LittleEndian.PutUint64(v[16:], binary.LittleEndian.Uint64(v[16:])^k)
		binary.LittleEndian.PutUint64(v[24:], binary.LittleEndian.Uint64(v[24:])^k)
		binary.LittleEndian.PutUint64(v[32:], binary.LittleEndian.Uint64(v[32:])^k)
		binary.LittleEndian.PutUint64(v[40:], binary.LittleEndian.Uint64(v[40:])^k)
		binary.LittleEndian.PutUint64(v[48:], binary.LittleEndian.Uint64(v[48:])^k)
		binary.LittleEndian.PutUint64(v[56:], binary.LittleEndian.Uint64(v[56:])^k)
		binary.LittleEndian.PutUint64(v[64:], binary.LittleEndian.Uint64(v[64:])^k)
		binary.LittleEndian.PutUint64(v[72:], binary.LittleEndian.Uint64(v[72:])^k)
		binary.LittleEndian.PutUint64(v[80:], binary.LittleEndian.Uint64(v[80:])^k)
		binary.LittleEndian.PutUint64(v[88:], binary.LittleEndian.Uint64(v[88:])^k)
		binary.LittleEndian.PutUint64(v[96:], binary.LittleEndian.Uint64(v[96:])^k)
		binary.LittleEndian.PutUint64(v[104:], binary.LittleEndian.Uint64(v[104:])^k)
		binary.LittleEndian.PutUint64(v[112:], binary.LittleEndian.Uint64(v[112:])^k)
		binary.LittleEndian.PutUint64(v[120:], binary.LittleEndian.Uint64(v[120:])^k)
		b = b[128:]
	}
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k)
		b = b[8:]
	}
	// Whole words keep the key phase, so the tail starts at key[pos%4] again.
	for i := range b {
		b[i] ^= byte(k >> (8 * uint(i)))
	}
}
