package spec

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"unicode/utf8"
)

// The payloads of sections 12 and 13. The testsuite sends slices of five
// files (a JSON document, a bitmap, Goethe's Faust I, an HTML page, a PDF);
// these generate data of the same kinds, the same on every call, so that the
// cases compress as the testsuite's do without shipping the files: repetitive
// text, smooth pixels, prose, markup, and a mix of text and noise.

const corpusSize = 192 << 10

// corpora are the data of sections 12 and 13, made once: messages copies
// what it cuts from them, which are never written to.
var corpora = sync.OnceValue(func() (c struct{ json, bitmap, prose, html, pdf []byte }) {
	c.json, c.bitmap, c.prose = jsonCorpus(corpusSize), bitmapCorpus(), proseCorpus(corpusSize)
	c.html, c.pdf = htmlCorpus(corpusSize), pdfCorpus(corpusSize)
	return c
})

// corpusRand is the generator of corpus seed.
func corpusRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x12)) }

// jsonCorpus returns n bytes of a JSON array of records: ASCII, with the
// keys repeated in every record, as the testsuite's data1.json.
func jsonCorpus(n int) []byte {
	r := corpusRand(1)
	names := []string{"ada", "grace", "linus", "ken", "barbara", "edsger", "frances", "donald"}
	tags := []string{"alpha", "beta", "gamma", "delta", "ops", "web", "db", "ml"}
	var b strings.Builder
	b.WriteString("[\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `{"id":%d,"user":"%s-%d","active":%t,"score":%d.%02d,"tags":["%s","%s"],"ts":"2015-12-%02dT%02d:%02d:%02dZ"},`+"\n",
			1000+i, names[r.IntN(len(names))], r.IntN(10000), r.IntN(2) == 0, r.IntN(100), r.IntN(100),
			tags[r.IntN(len(tags))], tags[r.IntN(len(tags))], 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60))
	}
	return []byte(b.String()[:n])
}

// bitmapCorpus returns a 512x512 grayscale image, one byte a pixel: smooth
// gradients with a little noise, as the testsuite's lena512.bmp.
func bitmapCorpus() []byte {
	r := corpusRand(2)
	b := make([]byte, 512*512)
	for y := range 512 {
		for x := range 512 {
			v := (x*x+y*y)/2048 + (x^y)/8 + r.IntN(6)
			b[y*512+x] = byte(v)
		}
	}
	return b
}

// proseCorpus returns n bytes of German-looking prose (with umlauts and
// ß), as the testsuite's Faust, which it sends as binary messages.
func proseCorpus(n int) []byte {
	r := corpusRand(3)
	words := strings.Fields("der die das und ich nicht ist zu ein es mich mir mit sich dem den auf so wie " +
		"Geist Welt Herz Nacht Faust Mephistopheles Gretchen Wagner Himmel Erde Natur müssen schön " +
		"Glück hör Träume Größe weiß süß Straße über für während Mädchen Blüte Wissenschaft")
	var b strings.Builder
	for b.Len() < n {
		line := r.IntN(8) + 4
		for i := range line {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		b.WriteString([]string{",\n", ".\n", "!\n", ";\n"}[r.IntN(4)])
	}
	return []byte(b.String()[:n])
}

// htmlCorpus returns n bytes of HTML markup, with some non-ASCII text, as
// the testsuite's data1.html.
func htmlCorpus(n int) []byte {
	r := corpusRand(4)
	tags := []string{"div", "span", "p", "li", "td", "a", "em"}
	classes := []string{"nav", "item", "row", "cell", "title", "note", "active"}
	text := []string{"Home", "Über uns", "Kontakt", "naïve café", "résumé", "Preise in €", "日本語", "News"}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index</title></head><body>\n")
	for b.Len() < n {
		t := tags[r.IntN(len(tags))]
		fmt.Fprintf(&b, "<%s class=\"%s\" id=\"e%d\">%s</%s>\n", t, classes[r.IntN(len(classes))], r.IntN(100000), text[r.IntN(len(text))], t)
	}
	return mendEnds([]byte(b.String()[:n]))
}

// pdfCorpus returns n bytes that mix PDF-like object syntax with runs of
// random bytes (compressed streams), as the testsuite's PDF: the part that
// compresses least.
func pdfCorpus(n int) []byte {
	r := corpusRand(5)
	b := make([]byte, 0, n+4096)
	for i := 0; len(b) < n; i++ {
		b = fmt.Appendf(b, "%d 0 obj\n<< /Type /XObject /Subtype /Image /Length %d /Filter /FlateDecode >>\nstream\n", i+1, 1024)
		for range 256 + r.IntN(2048) {
			b = append(b, byte(r.Uint32()))
		}
		b = append(b, "\nendstream\nendobj\n"...)
	}
	return b[:n]
}

// randomish returns n bytes that do not compress, the same for a seed.
func randomish(n int, seed uint64) []byte {
	r := corpusRand(seed)
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// messages cuts count messages of size bytes from corpus, one after the
// other from its start, wrapping around at its end, as the testsuite does.
// Text messages are mended at their ends, so that every one is valid UTF-8.
func messages(corpus []byte, size, count int, text bool) [][]byte {
	var ms [][]byte
	from := 0
	for range count {
		m := make([]byte, 0, size)
		for len(m) < size {
			k := min(size-len(m), len(corpus)-from)
			m = append(m, corpus[from:from+k]...)
			from = (from + k) % len(corpus)
		}
		if text {
			mendEnds(m)
		}
		ms = append(ms, m)
	}
	return ms
}

// mendEnds replaces the bytes of a multi-byte UTF-8 character cut at either
// end of b with spaces, and returns b.
func mendEnds(b []byte) []byte {
	for i := 0; i < len(b) && !utf8.RuneStart(b[i]); i++ {
		b[i] = ' '
	}
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				for j := i; j < len(b); j++ {
					b[j] = ' '
				}
			}
			break
		}
	}
	return b
}
