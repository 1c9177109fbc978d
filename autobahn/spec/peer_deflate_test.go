package spec

import (
	"bytes"
	"compress/flate"
	"errors"
	"testing"
)

// flateStream compresses p at level and ends the stream with a sync flush,
// as a message's payload with its tail put back.
func flateStream(t *testing.T, p []byte, level int) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(p)
	w.Flush()
	return b.Bytes()
}

func TestReach(t *testing.T) {
	r := randomish(1000, 1)
	twice := append(bytes.Clone(r), r...)
	text := jsonCorpus(100 << 10)
	tests := []struct {
		name    string
		stream  []byte
		want    int  // the longest distance; -1: only check it is within 32 KiB
		wantErr bool // the stream is malformed
	}{
		{name: "stored blocks refer to nothing", stream: flateStream(t, text, flate.NoCompression), want: 0},
		{name: "Huffman-only output refers to nothing", stream: flateStream(t, text, flate.HuffmanOnly), want: 0},
		{name: "a short repeat in a fixed block", stream: flateStream(t, []byte("abcabcabcabcabcabc"), flate.BestCompression), want: 3},
		{name: "1000 random bytes twice", stream: flateStream(t, twice, flate.DefaultCompression), want: 1000},
		{name: "100 KiB of JSON in dynamic blocks", stream: flateStream(t, text, flate.BestSpeed), want: -1},
		{name: "an empty message (RFC 7692 §7.2.3.6)", stream: []byte{0x00, 0x00, 0x00, 0xff, 0xff}, want: 0},
		{name: "a final block ends the stream", stream: []byte{0x03, 0x00, 0xff, 0xff}, want: 0},
		{name: "reserved block type", stream: []byte{0x07, 0x00}, wantErr: true},
		{name: "stored length and complement disagree", stream: []byte{0x00, 0x05, 0x00, 0xfa, 0xfe}, wantErr: true},
		{name: "cut inside a block", stream: flateStream(t, twice, flate.DefaultCompression)[:100], wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := reach(tt.stream)
			switch {
			case tt.wantErr:
				if err == nil {
					t.Fatalf("reach = %d, want an error", got)
				}
			case err != nil:
				t.Fatalf("reach: %v", err)
			case tt.want < 0 && (got < 1 || got > 1<<15):
				t.Fatalf("reach = %d, want 1..32768", got)
			case tt.want >= 0 && got != tt.want:
				t.Fatalf("reach = %d, want %d", got, tt.want)
			}
		})
	}
}

// What the deflater sends inflates to what it was given, under every
// direction, and never refers past the window; with context takeover and a
// small window, a message refers back into the one before it.
func TestDeflaterRoundTrip(t *testing.T) {
	first := randomish(300, 2)
	msgs := [][]byte{first, first[:200], jsonCorpus(16), jsonCorpus(511), jsonCorpus(512), jsonCorpus(600), jsonCorpus(40 << 10), jsonCorpus(300)}
	for _, dir := range []direction{{false, 9}, {true, 9}, {false, 12}, {true, 12}, {false, 15}, {true, 15}} {
		z := &deflater{dir: dir}
		in := &inflater{dir: dir, limit: -1}
		for i, m := range msgs {
			payload := z.compress(m)
			stream := append(bytes.Clone(payload), syncTail...)
			d, err := reach(stream)
			if err != nil {
				t.Fatalf("%+v, message %d: %v", dir, i, err)
			}
			if d > dir.window() {
				t.Errorf("%+v, message %d of %d bytes: a reference %d bytes back", dir, i, len(m), d)
			}
			if i == 1 && dir.takeover && d != len(first) {
				t.Errorf("%+v: the repeat of the first message refers %d bytes back, want %d", dir, d, len(first))
			}
			got, err := in.inflate(payload)
			if err != nil {
				t.Fatalf("%+v, message %d: %v", dir, i, err)
			}
			if !bytes.Equal(got, m) {
				t.Fatalf("%+v, message %d: inflated to %d bytes, want %d", dir, i, len(got), len(m))
			}
		}
	}
}

func TestInflaterRefuses(t *testing.T) {
	r := randomish(1000, 3)
	twice := append(bytes.Clone(r), r...)
	tests := []struct {
		name     string
		sender   direction // how the messages are compressed
		receiver direction // what the receiver holds the sender to
		limit    int64
		msgs     [][]byte
		want     error // for the last message
	}{
		{name: "context taken over against the agreement", sender: direction{true, 15}, receiver: direction{false, 15},
			limit: -1, msgs: [][]byte{r, r}, want: errNotDeflate},
		{name: "a reference past a 9-bit window", sender: direction{false, 15}, receiver: direction{false, 9},
			limit: -1, msgs: [][]byte{twice}, want: errBeyondWindow},
		{name: "past the limit", sender: direction{false, 15}, receiver: direction{false, 15},
			limit: 1999, msgs: [][]byte{twice}, want: errInflatedTooBig},
		{name: "at the limit", sender: direction{false, 15}, receiver: direction{false, 15},
			limit: 2000, msgs: [][]byte{twice}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := &deflater{dir: tt.sender}
			in := &inflater{dir: tt.receiver, limit: tt.limit}
			var err error
			for _, m := range tt.msgs {
				if _, err = in.inflate(z.compress(m)); err != nil {
					break
				}
			}
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("inflate: %v, want %v", err, tt.want)
			}
		})
	}
	in := &inflater{dir: direction{false, 15}, limit: -1}
	if _, err := in.inflate([]byte{0xff, 0xff}); !errors.Is(err, errNotDeflate) {
		t.Errorf("inflate(ff ff): %v, want %v", err, errNotDeflate)
	}
}
