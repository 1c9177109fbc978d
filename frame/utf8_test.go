package frame

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// properPrefixes is the set of every proper, non-empty prefix of the UTF-8
// encoding of every scalar value, built from utf8.EncodeRune alone.
var properPrefixes = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	var buf [4]byte
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		n := utf8.EncodeRune(buf[:], r)
		for k := 1; k < n; k++ {
			m[string(buf[:k])] = true
		}
	}
	return m
})

// prefixOfValid reports whether some valid UTF-8 string begins with b: b is
// valid UTF-8 followed by a proper prefix of one encoding.
func prefixOfValid(b []byte) bool {
	for t := 0; t <= 3 && t <= len(b); t++ {
		if utf8.Valid(b[:len(b)-t]) && (t == 0 || properPrefixes()[string(b[len(b)-t:])]) {
			return true
		}
	}
	return false
}

// firstImpossible returns the index of the first byte after which b can no
// longer be valid UTF-8, or len(b) if there is none.
func firstImpossible(b []byte) int {
	for k := len(b); k >= 0; k-- {
		if prefixOfValid(b[:k]) {
			return k
		}
	}
	panic("the empty prefix is always possible")
}

var validTexts = []string{
	"",
	"Hello, World",
	"Grüße aus Köln, ça va? ñandú",
	"Ελληνικά: Καλημέρα κόσμε",
	"Русский: Съешь же ещё этих мягких французских булок",
	"עברית: שלום עולם",
	"العربية: مرحبا بالعالم",
	"हिन्दी: नमस्ते दुनिया",
	"ไทย: สวัสดีชาวโลก",
	"中文: 你好，世界",
	"日本語: こんにちは世界",
	"한국어: 안녕하세요 세계",
	"ᚠᛇᚻ᛫ᛒᛦᚦ runes",
	"emoji 😀👍🏽🇩🇪👨‍👩‍👧 🧑‍💻",
	"math 𝔸𝕓𝕔 ∀x∈ℝ",
	"\x00\x7f",
	"\u0080\u07ff\u0800\ud7ff\ue000\uffef\uffff\U00010000\U0010FFFF",
	"\uFEFFbyte order mark",
}

var invalidTexts = []struct {
	name string
	text string
}{
	{"overlong 2-byte NUL C0 80", "\xc0\x80"},
	{"overlong 2-byte C1 BF", "\xc1\xbf"},
	{"overlong 3-byte E0 80 80", "\xe0\x80\x80"},
	{"overlong 3-byte E0 9F BF", "\xe0\x9f\xbf"},
	{"overlong 4-byte F0 80 80 80", "\xf0\x80\x80\x80"},
	{"overlong 4-byte F0 8F BF BF", "\xf0\x8f\xbf\xbf"},
	{"surrogate U+D800", "\xed\xa0\x80"},
	{"surrogate U+DFFF", "\xed\xbf\xbf"},
	{"surrogate pair", "\xed\xa0\xbd\xed\xb8\x80"},
	{"U+110000 F4 90 80 80", "\xf4\x90\x80\x80"},
	{"F4 BF BF BF", "\xf4\xbf\xbf\xbf"},
	{"F5 lead", "\xf5\x80\x80\x80"},
	{"F7 BF BF BF", "\xf7\xbf\xbf\xbf"},
	{"5-byte form F8", "\xf8\x88\x80\x80\x80"},
	{"6-byte form FC", "\xfc\x84\x80\x80\x80\x80"},
	{"FE", "\xfe"},
	{"FF", "\xff"},
	{"C0", "\xc0"},
	{"C1", "\xc1"},
	{"lone continuation 80", "\x80"},
	{"lone continuation BF", "\xbf"},
	{"continuation after ASCII", "abc\x80def"},
	{"too many continuations", "\xc3\xa9\xa9"},
	{"truncated 2-byte then ASCII", "\xc3a"},
	{"truncated 3-byte then ASCII", "\xe2\x82a"},
	{"truncated 4-byte then ASCII", "\xf0\x9f\x98a"},
	{"truncated 2-byte at end", "abc\xc3"},
	{"truncated 3-byte at end", "abc\xe2\x82"},
	{"truncated 4-byte at end", "😀\xf0\x9f\x98"},
	{"lead after lead", "\xe2\xe2\x82\xac"},
	{"error after long ASCII", strings.Repeat("a", 37) + "\xed\xa0\x80" + strings.Repeat("b", 20)},
	{"error after long multi-byte", strings.Repeat("€ü", 9) + "\xf4\x90"},
	{"Markus Kuhn: 1-byte 7F then 80", "\x7f\x80"},
	{"valid then invalid then valid", "Grüße \xed\xa0\x80 world"},
}

// feed validates chunks in order and returns the index of the byte it failed
// at (-1 if none) and whether Finish accepted the stream.
func feed(t *testing.T, chunks [][]byte) (failAt int, finished bool) {
	t.Helper()
	var v UTF8Validator
	off := 0
	for _, c := range chunks {
		n, err := v.Validate(c)
		if err != nil {
			if err != ErrInvalidUTF8 {
				t.Fatalf("Validate error %v, want ErrInvalidUTF8", err)
			}
			if n < 0 || n >= len(c) {
				t.Fatalf("Validate failed reporting n=%d of %d bytes", n, len(c))
			}
			if _, err := v.Validate([]byte("a")); err != ErrInvalidUTF8 {
				t.Fatalf("Validate after a failure = %v, want ErrInvalidUTF8", err)
			}
			if v.Finish() != ErrInvalidUTF8 {
				t.Fatal("Finish after a failure accepted the stream")
			}
			return off + n, false
		}
		if n != len(c) {
			t.Fatalf("Validate = %d, nil; want %d", n, len(c))
		}
		off += len(c)
	}
	return -1, v.Finish() == nil
}

// checkChunks compares the validator on chunks with the independent oracle.
func checkChunks(t *testing.T, whole []byte, chunks [][]byte) {
	t.Helper()
	want := firstImpossible(whole)
	failAt, finished := feed(t, chunks)
	if want < len(whole) {
		if failAt != want {
			t.Fatalf("% x in chunks %q: failed at %d, want %d", whole, chunks, failAt, want)
		}
		return
	}
	if failAt >= 0 {
		t.Fatalf("% x in chunks %q: failed at %d, but every prefix is possible", whole, chunks, failAt)
	}
	if finished != utf8.Valid(whole) {
		t.Fatalf("% x in chunks %q: Finish accepted=%v, utf8.Valid=%v", whole, chunks, finished, utf8.Valid(whole))
	}
}

func allInputs() []struct{ name, text string } {
	var in []struct{ name, text string }
	for _, s := range validTexts {
		in = append(in, struct{ name, text string }{"valid " + s, s})
	}
	for _, tt := range invalidTexts {
		in = append(in, struct{ name, text string }{tt.name, tt.text})
	}
	return in
}

func TestUTF8Whole(t *testing.T) {
	for _, tt := range allInputs() {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.text)
			failAt, finished := feed(t, [][]byte{b})
			if ok := failAt < 0 && finished; ok != utf8.Valid(b) {
				t.Fatalf("validator says %v, utf8.Valid says %v", ok, utf8.Valid(b))
			}
			checkChunks(t, b, [][]byte{b})
		})
	}
}

func TestUTF8ExpectedIndex(t *testing.T) {
	// A few hand-checked positions, to keep the oracle honest.
	tests := []struct {
		name string
		text string
		want int
	}{
		{"F4 90 fails at 90", "\xf4\x90", 1},
		{"ED A0 fails at A0", "\xed\xa0", 1},
		{"E0 80 fails at 80", "\xe0\x80", 1},
		{"F0 80 fails at 80", "\xf0\x80", 1},
		{"C0 fails at once", "\xc0", 0},
		{"F5 fails at once", "\xf5", 0},
		{"truncated then ASCII fails at the ASCII", "ab\xe2\x82c", 4},
		{"truncated at the end does not fail early", "ab\xe2\x82", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := firstImpossible([]byte(tt.text)); got != tt.want {
				t.Fatalf("oracle: %d, want %d", got, tt.want)
			}
			failAt, _ := feed(t, [][]byte{[]byte(tt.text)})
			if tt.want == len(tt.text) {
				tt.want = -1
			}
			if failAt != tt.want {
				t.Fatalf("validator failed at %d, want %d", failAt, tt.want)
			}
		})
	}
}

// TestUTF8EverySplit feeds every input in every split into two and three
// pieces (for inputs up to 40 bytes), and byte by byte.
func TestUTF8EverySplit(t *testing.T) {
	for _, tt := range allInputs() {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.text)
			var ones [][]byte
			for i := range b {
				ones = append(ones, b[i:i+1])
			}
			checkChunks(t, b, ones)
			if len(b) > 40 {
				return
			}
			for i := 0; i <= len(b); i++ {
				checkChunks(t, b, [][]byte{b[:i], b[i:]})
				for j := i; j <= len(b); j++ {
					checkChunks(t, b, [][]byte{b[:i], b[i:j], b[j:]})
				}
			}
		})
	}
}

// TestUTF8AllShortSequences runs every 1- and 2-byte input, and 3- and 4-byte
// inputs over the bytes where the rules change, whole and byte by byte.
func TestUTF8AllShortSequences(t *testing.T) {
	for a := range 256 {
		b := []byte{byte(a)}
		checkChunks(t, b, [][]byte{b})
		for c := range 256 {
			b := []byte{byte(a), byte(c)}
			checkChunks(t, b, [][]byte{b})
			checkChunks(t, b, [][]byte{b[:1], b[1:]})
		}
	}
	edges := []byte{0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff}
	for a := 0xc0; a <= 0xff; a++ {
		for _, c := range edges {
			for _, d := range edges {
				b := []byte{byte(a), c, d}
				checkChunks(t, b, [][]byte{b})
				checkChunks(t, b, [][]byte{b[:1], b[1:2], b[2:]})
				for _, e := range edges {
					b := []byte{byte(a), c, d, e}
					checkChunks(t, b, [][]byte{b})
					checkChunks(t, b, [][]byte{b[:1], b[1:3], b[3:]})
				}
			}
		}
	}
}

// TestUTF8LongRandomChunks mixes long valid text with invalid sequences at
// random places and cuts it at random, so the bulk path and the word-wide
// ASCII path meet chunk edges.
func TestUTF8LongRandomChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	valid := []byte(strings.Join(validTexts, " ") + strings.Repeat("plain ASCII text ", 20))
	for i := range 2000 {
		b := bytes.Clone(valid)
		if i%2 == 1 {
			bad := invalidTexts[rng.IntN(len(invalidTexts))].text
			at := rng.IntN(len(b) + 1)
			b = append(b[:at:at], append([]byte(bad), b[at:]...)...)
		}
		var chunks [][]byte
		for p := b; len(p) > 0; {
			n := min(len(p), rng.IntN(200))
			chunks = append(chunks, p[:n])
			p = p[n:]
		}
		checkChunks(t, b, chunks)
	}
}

func TestUTF8FinishResets(t *testing.T) {
	var v UTF8Validator
	if _, err := v.Validate([]byte("ab\xe2\x82")); err != nil {
		t.Fatal(err)
	}
	if v.Finish() != ErrInvalidUTF8 {
		t.Fatal("Finish accepted a stream ending inside a sequence")
	}
	if n, err := v.Validate([]byte("\xac")); err != ErrInvalidUTF8 || n != 0 {
		t.Fatalf("after Finish, a continuation byte: %d, %v; want 0, ErrInvalidUTF8", n, err)
	}
	v.Reset()
	if n, err := v.Validate([]byte("€")); err != nil || n != 3 || v.Finish() != nil {
		t.Fatalf("after Reset: %d, %v", n, err)
	}
	if v.Finish() != nil {
		t.Fatal("Finish of an empty stream failed")
	}
}

func TestUTF8Allocs(t *testing.T) {
	var v UTF8Validator
	text := []byte(strings.Join(validTexts, ""))
	if n := testing.AllocsPerRun(100, func() { v.Validate(text); v.Finish() }); n != 0 {
		t.Fatalf("%v allocations per call", n)
	}
}
