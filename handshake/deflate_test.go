package handshake

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// RFC 7692 §7: the four parameters, in an offer and in an answer.
func TestParseDeflateParams(t *testing.T) {
	const pmd = "permessage-deflate"
	tests := []struct {
		name    string
		element string
		offer   bool
		want    deflateParams
		wantErr bool
	}{
		{name: "none", element: pmd, offer: true},
		{
			name:    "all four",
			element: pmd + "; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9",
			want:    deflateParams{serverNoTakeover: true, clientNoTakeover: true, serverBits: 10, clientBitsSent: true, clientBits: 9},
		},
		{
			name:    "any order",
			element: pmd + "; client_max_window_bits=9; server_max_window_bits=10; client_no_context_takeover",
			want:    deflateParams{clientNoTakeover: true, serverBits: 10, clientBitsSent: true, clientBits: 9},
		},
		{
			name:    "quoted values (RFC 6455 §9.1)",
			element: pmd + `; server_max_window_bits="15"; client_max_window_bits="1\2"`,
			want:    deflateParams{serverBits: 15, clientBitsSent: true, clientBits: 12},
		},
		{
			name:    "bare client_max_window_bits in an offer",
			element: pmd + "; client_max_window_bits",
			offer:   true,
			want:    deflateParams{clientBitsSent: true},
		},
		{name: "bare client_max_window_bits in an answer", element: pmd + "; client_max_window_bits", wantErr: true},
		{name: "bare server_max_window_bits in an offer", element: pmd + "; server_max_window_bits", offer: true, wantErr: true},
		{name: "unknown parameter in an offer", element: pmd + "; x", offer: true, wantErr: true},
		{name: "unknown parameter in an answer", element: pmd + "; x=1", wantErr: true},
		{name: "duplicate in an offer", element: pmd + "; client_max_window_bits; client_max_window_bits=9", offer: true, wantErr: true},
		{name: "duplicate in an answer", element: pmd + "; client_no_context_takeover; client_no_context_takeover", wantErr: true},
		{name: "value on a flag", element: pmd + "; server_no_context_takeover=x", offer: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exts, err := parseExtensions([]string{tt.element})
			if err != nil || len(exts) != 1 {
				t.Fatalf("parseExtensions(%q) = %v, %v", tt.element, exts, err)
			}
			got, err := parseDeflateParams(exts[0].Params, tt.offer)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseDeflateParams(%q, offer %v) error = %v, want error %v", tt.element, tt.offer, err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(deflateParams{})); diff != "" {
				t.Errorf("parseDeflateParams(%q) mismatch (-want +got):\n%s", tt.element, diff)
			}
			// Written back, the parameters read the same.
			again, _ := parseExtensions([]string{formatExtensions([]Extension{got.extension()})})
			if back, err := parseDeflateParams(again[0].Params, tt.offer); err != nil || back != got {
				t.Errorf("written back as %q: %+v, %v", formatExtensions(again), back, err)
			}
		})
	}
}

// "a decimal integer value without leading zeroes between 8 to 15,
// inclusive" (RFC 7692 §7.1.2.1, §7.1.2.2)
func TestParseWindowBits(t *testing.T) {
	for bits := 8; bits <= 15; bits++ {
		if got, ok := parseWindowBits(strconv.Itoa(bits)); !ok || got != bits {
			t.Errorf("parseWindowBits(%d) = %d, %v", bits, got, ok)
		}
	}
	for _, v := range []string{"", "0", "1", "7", "16", "19", "20", "08", "015", "+8", "-8", " 8", "8 ", "1a", "a", "9.0", "0x9", "\uff19", "100"} {
		if got, ok := parseWindowBits(v); ok {
			t.Errorf("parseWindowBits(%q) = %d, want not a window", v, got)
		}
	}
}

func TestDeflateOptionsCheck(t *testing.T) {
	for _, bits := range []int{0, 8, 9, 12, 15} {
		if err := (&DeflateOptions{PeerMaxWindowBits: bits}).check(); err != nil {
			t.Errorf("PeerMaxWindowBits %d: %v", bits, err)
		}
	}
	for _, bits := range []int{-1, 1, 7, 16, 32} {
		opts := &DeflateOptions{PeerMaxWindowBits: bits}
		if err := opts.check(); err == nil {
			t.Errorf("PeerMaxWindowBits %d accepted", bits)
		}
		// Accept answers 500, as for any misconfiguration.
		w := httptest.NewRecorder()
		if res, err := Accept(w, upgradeRequest(), &ServerOptions{Deflate: opts}); err == nil || w.Code != http.StatusInternalServerError {
			t.Errorf("Accept with PeerMaxWindowBits %d = %v, %v, status %d; want 500", bits, res, err, w.Code)
		}
	}
	if err := (*DeflateOptions)(nil).check(); err != nil {
		t.Errorf("nil options: %v", err)
	}
}

// The answer goes out in the 101, after the subprotocol and before the
// handler's own headers.
func TestAcceptDeflateTranscript(t *testing.T) {
	opts := &ServerOptions{
		Subprotocols:   []string{"chat"},
		OriginPatterns: []string{"example.com"},
		Deflate:        &DeflateOptions{PeerMaxWindowBits: 10},
	}
	srv, results := acceptServer(t, opts, func(w http.ResponseWriter) {
		w.Header().Set("Sec-WebSocket-Extensions", "x-evil") // the handshake's own: dropped
		w.Header().Set("X-Server", "test")
	})
	req := strings.Replace(goldenRequest, "Sec-WebSocket-Version: 13\r\n",
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: x-foo, permessage-deflate; client_max_window_bits\r\n", 1)
	_, br := rawExchange(t, srv, req)
	out := receive(t, results)
	if out.err != nil {
		t.Fatalf("Accept: %v", out.err)
	}
	defer out.res.Conn.Close()
	want := "HTTP/1.1 101 Switching Protocols\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
		"Sec-WebSocket-Protocol: chat\r\n" +
		"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=10\r\n" +
		"X-Server: test\r\n" +
		"\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(br, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("response:\n%q\nwant:\n%q", got, want)
	}
	wantExts := []Extension{{Name: "permessage-deflate", Params: []Param{
		{Name: "server_no_context_takeover"}, {"client_max_window_bits", "10"},
	}}}
	if diff := cmp.Diff(wantExts, out.res.Extensions); diff != "" {
		t.Errorf("Result.Extensions mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&Deflate{true, false, 15, 10}, out.res.Deflate); diff != "" {
		t.Errorf("Result.Deflate mismatch (-want +got):\n%s", diff)
	}
}
