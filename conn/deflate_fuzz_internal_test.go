package conn

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"testing"
	"unicode/utf8"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// FuzzInflate inflates two compressed messages in a row, as a server
// receives them (RFC 7692 §7.2.2), and compares each result with
// compress/flate read directly: the same bytes; or ErrMessageTooBig once
// more than the limit came out; or errBadDeflate where flate fails;
// or ErrInvalidUTF8 for text that does not inflate to UTF-8. With context
// takeover, the second message may refer to the first's last 32 KiB. The
// bits of mode choose takeover, text, and a limit of 64 bytes or 1 MiB.
func FuzzInflate(f *testing.F) {
	compress := func(s string) []byte {
		var b bytes.Buffer
		fw, _ := flate.NewWriter(&b, flate.BestSpeed)
		fw.Write([]byte(s))
		fw.Flush()
		return trimSync(b.Bytes())
	}
	hello := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00} // RFC 7692 §7.2.3.1
	f.Add(hello, hello, byte(0))
	f.Add(hello, hello, byte(3))                                                            // takeover, text
	f.Add(hello, []byte{0xf2, 0x00, 0x11, 0x00, 0x00}, byte(1))                             // §7.2.3.2: the second refers to the first
	f.Add(compress(string(make([]byte, 4096))), hello, byte(4))                             // over a 64-byte limit
	f.Add([]byte{0x00, 0x05, 0x00, 0xfa, 0xff, 'H', 'e', 'l', 'l', 'o'}, []byte{}, byte(2)) // a stored block
	f.Add([]byte{0xff, 0xff}, []byte{0x03, 0x00}, byte(0))                                  // not DEFLATE data
	f.Add(compress("\xce\xba\xf4\x90"), compress("ok"), byte(2))                            // invalid UTF-8 as text
	f.Fuzz(func(t *testing.T, first, second []byte, mode byte) {
		takeover, text := mode&1 != 0, mode&2 != 0
		limit := int64(1 << 20)
		if mode&4 != 0 {
			limit = 64
		}
		d := &handshake.Deflate{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15, ServerNoContextTakeover: true, ClientNoContextTakeover: !takeover}
		z := newCompression(d, frame.Server, &Compression{PeerContextTakeover: takeover})
		typ := Binary
		if text {
			typ = Text
		}
		var dict []byte
		for i, payload := range [][]byte{first, second} {
			m := Message{Type: typ, Data: append(msgBuf(len(payload))[:0], payload...)}
			got, err := z.inflate(m, limit)
			want, wantErr := referenceInflate(payload, dict, limit)
			if wantErr == nil && text && !utf8.Valid(want) {
				wantErr = frame.ErrInvalidUTF8
			}
			if !errors.Is(err, wantErr) || (err == nil) != (wantErr == nil) {
				t.Fatalf("message %d: error %v, want %v", i, err, wantErr)
			}
			if err != nil {
				return // the connection fails: nothing follows
			}
			if !bytes.Equal(got.Data, want) {
				t.Fatalf("message %d: inflated %d bytes, compress/flate %d", i, len(got.Data), len(want))
			}
			if takeover {
				dict = append(dict, want...)
				dict = dict[max(0, len(dict)-1<<15):]
			}
			got.Release()
		}
	})
}

// referenceInflate inflates payload, a message's DEFLATE data without its
// tail, with dict as the window, reading at most limit+1 bytes.
func referenceInflate(payload, dict []byte, limit int64) ([]byte, error) {
	src := io.MultiReader(bytes.NewReader(payload), bytes.NewReader(inflateTail))
	fr := flate.NewReaderDict(src, dict)
	out, err := io.ReadAll(io.LimitReader(fr, limit+1))
	switch {
	case int64(len(out)) > limit:
		return nil, frame.ErrMessageTooBig
	case err != nil:
		return nil, errBadDeflate
	}
	return out, nil
}
