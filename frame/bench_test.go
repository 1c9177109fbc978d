package frame

import (
	"bytes"
	"crypto/subtle"
	"strconv"
	"testing"
	"unicode/utf8"
)

var benchSizes = []int{128, 1024, 65536, 1048576}

var benchKey = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// BenchmarkMask measures Mask; BenchmarkCopy beside it is the yardstick.
func BenchmarkMask(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			buf := make([]byte, n)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			pos := 0
			for b.Loop() {
				pos = Mask(benchKey, pos, buf)
			}
		})
	}
}

// BenchmarkMaskGo measures the Go loop alone (the fallback where there is no
// vector kernel), to show what the kernel adds.
func BenchmarkMaskGo(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			buf := make([]byte, n)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				maskWords(buf, 0x3d21fa37_3d21fa37)
			}
		})
	}
}

// BenchmarkCopy is the yardstick for BenchmarkMask: copy() of the same sizes.
func BenchmarkCopy(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			src := make([]byte, n)
			dst := make([]byte, n)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				copy(dst, src)
			}
		})
	}
}

// BenchmarkMaskXORBytes is the other standard-library way to mask, kept as a
// second yardstick: crypto/subtle.XORBytes against a block of repeated key.
func BenchmarkMaskXORBytes(b *testing.B) {
	var block [4096]byte
	for i := range block {
		block[i] = benchKey[i&3]
	}
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			buf := make([]byte, n)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				for p := buf; len(p) > 0; {
					k := subtle.XORBytes(p, p, block[:])
					p = p[k:]
				}
			}
		})
	}
}

// benchTexts are 64 KiB of ASCII and of text mixing 1- to 4-byte sequences.
var benchTexts = []struct {
	name string
	text []byte
}{
	{"ascii", fill("The quick brown fox jumps over the lazy dog. 0123456789\n")},
	{"mixed", fill("Grüße, Ελληνικά, Русский, 日本語, 한국어, emoji 😀👍🏽 and ASCII. ")},
}

func fill(s string) []byte {
	b := bytes.Repeat([]byte(s), 65536/len(s)+1)
	b = b[:65536]
	for !utf8.Valid(b) { // do not end inside a sequence
		b = b[:len(b)-1]
	}
	return b
}

// BenchmarkValidate measures UTF8Validator.Validate on a whole text;
// BenchmarkUTF8Valid beside it is the yardstick.
func BenchmarkValidate(b *testing.B) {
	for _, tt := range benchTexts {
		b.Run(tt.name, func(b *testing.B) {
			b.SetBytes(int64(len(tt.text)))
			b.ReportAllocs()
			var v UTF8Validator
			for b.Loop() {
				if _, err := v.Validate(tt.text); err != nil {
					b.Fatal(err)
				}
				if err := v.Finish(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUTF8Valid is the yardstick for BenchmarkValidate.
func BenchmarkUTF8Valid(b *testing.B) {
	for _, tt := range benchTexts {
		b.Run(tt.name, func(b *testing.B) {
			b.SetBytes(int64(len(tt.text)))
			b.ReportAllocs()
			for b.Loop() {
				if !utf8.Valid(tt.text) {
					b.Fatal("invalid")
				}
			}
		})
	}
}

// BenchmarkValidateChunked feeds the mixed text in 1000-byte pieces, so that
// sequences are cut at the edges.
func BenchmarkValidateChunked(b *testing.B) {
	text := benchTexts[1].text
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	var v UTF8Validator
	for b.Loop() {
		for p := text; len(p) > 0; {
			n := min(len(p), 1000)
			if _, err := v.Validate(p[:n]); err != nil {
				b.Fatal(err)
			}
			p = p[n:]
		}
		if err := v.Finish(); err != nil {
			b.Fatal(err)
		}
	}
}

var benchHeader = Header{Fin: true, Opcode: OpBinary, Masked: true, Key: benchKey, Length: 65536}

func BenchmarkParseHeader(b *testing.B) {
	wire := AppendHeader(nil, benchHeader)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseHeader(wire); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendHeader(b *testing.B) {
	buf := make([]byte, 0, MaxHeaderSize)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendHeader(buf[:0], benchHeader)
	}
}

func BenchmarkReadHeader(b *testing.B) {
	wire := AppendHeader(nil, benchHeader)
	r := bytes.NewReader(wire)
	buf := make([]byte, MaxHeaderSize)
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(wire)
		if _, err := ReadHeader(r, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParserFeed parses a stream of small unmasked binary messages, as
// a client receives them, and reports ns per message; BenchmarkCopyFeed
// beside it, a copy of the same stream, is the yardstick.
func BenchmarkParserFeed(b *testing.B) {
	for _, size := range []int{16, 128} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			wire := feedStream(size)
			b.SetBytes(int64(len(wire)))
			b.ReportAllocs()
			p := NewParser(Client, State{}, -1)
			var ev Event
			for b.Loop() {
				for rest := wire; len(rest) > 0; {
					n, err := p.Parse(rest, &ev)
					if err != nil || ev.Kind != EventData || !ev.Fin {
						b.Fatalf("event %v, err %v", ev.Kind, err)
					}
					rest = rest[n:]
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*feedMessages), "ns/msg")
		})
	}
}

func BenchmarkCopyFeed(b *testing.B) {
	for _, size := range []int{16, 128} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			wire := feedStream(size)
			dst := make([]byte, len(wire))
			b.SetBytes(int64(len(wire)))
			for b.Loop() {
				copy(dst, wire)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*feedMessages), "ns/msg")
		})
	}
}

const feedMessages = 256

func feedStream(size int) []byte {
	var wire []byte
	payload := bytes.Repeat([]byte{'x'}, size)
	for range feedMessages {
		wire = AppendHeader(wire, Header{Fin: true, Opcode: OpBinary, Length: int64(size)})
		wire = append(wire, payload...)
	}
	return wire
}
