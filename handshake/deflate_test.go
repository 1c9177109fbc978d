package handshake

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

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
		// Dial fails before it dials.
		if res, resp, err := Dial(t.Context(), "ws://127.0.0.1:1", &ClientOptions{Deflate: opts, Proxy: noProxy}); err == nil || resp != nil {
			t.Errorf("Dial with PeerMaxWindowBits %d = %v, %v, %v; want an error", bits, res, resp, err)
		}
	}
	if err := (*DeflateOptions)(nil).check(); err != nil {
		t.Errorf("nil options: %v", err)
	}
}

// Our client's every offer is accepted by our server, whose answer our
// client accepts, and both reach the same agreement, except in one way: a
// client that offered client_no_context_takeover keeps to it even when the
// server's answer lets it take over (RFC 7692 §7.1.1.2).
func TestDeflateRoundTrip(t *testing.T) {
	type named struct {
		name string
		opts DeflateOptions
	}
	clients := []named{
		{"defaults", DeflateOptions{}},
		{"takeover", DeflateOptions{ContextTakeover: true}},
		{"peer no takeover", DeflateOptions{ContextTakeover: true, PeerNoContextTakeover: true}},
		{"peer window 8", DeflateOptions{PeerMaxWindowBits: 8}},
		{"peer window 12", DeflateOptions{ContextTakeover: true, PeerMaxWindowBits: 12}},
		{"peer window 15", DeflateOptions{PeerMaxWindowBits: 15}},
		{"everything", DeflateOptions{PeerNoContextTakeover: true, PeerMaxWindowBits: 9}},
	}
	servers := []named{
		{"defaults", DeflateOptions{}},
		{"takeover", DeflateOptions{ContextTakeover: true}},
		{"peer no takeover", DeflateOptions{PeerNoContextTakeover: true}},
		{"peer window 8", DeflateOptions{ContextTakeover: true, PeerMaxWindowBits: 8}},
		{"peer window 10", DeflateOptions{PeerMaxWindowBits: 10}},
		{"everything", DeflateOptions{ContextTakeover: true, PeerNoContextTakeover: true, PeerMaxWindowBits: 11}},
	}
	for _, c := range clients {
		for _, s := range servers {
			t.Run(c.name+"/"+s.name, func(t *testing.T) {
				offer := formatExtensions([]Extension{deflateOffer(&c.opts).extension()})
				serverSide, answer := negotiateDeflate([]string{offer}, &s.opts)
				if serverSide == nil {
					t.Fatalf("offer %q declined", offer)
				}
				clientSide, exts, err := checkDeflateAnswer([]string{formatExtensions(answer)}, &c.opts)
				if err != nil {
					t.Fatalf("offer %q, answer %q: %v", offer, formatExtensions(answer), err)
				}
				if diff := cmp.Diff(answer, exts); diff != "" {
					t.Errorf("extensions mismatch (-server +client):\n%s", diff)
				}
				want := *serverSide
				if !c.opts.ContextTakeover {
					want.ClientNoContextTakeover = true
				}
				if diff := cmp.Diff(&want, clientSide); diff != "" {
					t.Errorf("offer %q, answer %q: agreement mismatch (-want +got):\n%s", offer, formatExtensions(answer), diff)
				}
			})
		}
	}
}

// The server's answer to any offer is one the offering client accepts, and
// it asks the client for no window below 9 bits unless the client offered it.
func FuzzNegotiateDeflate(f *testing.F) {
	for _, s := range []string{
		"permessage-deflate",
		"permessage-deflate; client_max_window_bits",
		"permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=9",
		"permessage-deflate; client_max_window_bits=8, permessage-deflate; server_max_window_bits=8",
		"x-foo, permessage-deflate; server_max_window_bits=16, permessage-deflate; client_max_window_bits=\"10\"",
		"permessage-deflate; client_no_context_takeover; client_no_context_takeover",
	} {
		f.Add(s)
	}
	policies := []DeflateOptions{
		{},
		{ContextTakeover: true},
		{PeerNoContextTakeover: true, PeerMaxWindowBits: 8},
		{ContextTakeover: true, PeerNoContextTakeover: true, PeerMaxWindowBits: 12},
	}
	f.Fuzz(func(t *testing.T, value string) {
		offers, err := parseExtensions([]string{value})
		if err != nil {
			return // CheckRequest refuses it
		}
		for _, opts := range policies {
			d, answer := negotiateDeflate([]string{value}, &opts)
			var offer deflateParams
			accepted := false
			for _, e := range offers {
				if e.Name == deflateName {
					if offer, err = parseDeflateParams(e.Params, true); err == nil {
						accepted = true
						break
					}
				}
			}
			if accepted != (d != nil) || accepted != (len(answer) == 1) {
				t.Fatalf("%q under %+v: agreement %+v, answer %v; want an answer %v", value, opts, d, answer, accepted)
			}
			if !accepted {
				continue
			}
			again, err := parseExtensions([]string{formatExtensions(answer)})
			if err != nil || !cmp.Equal(again, answer) {
				t.Fatalf("answer %q does not read back: %v, %v", formatExtensions(answer), again, err)
			}
			a, err := parseDeflateParams(again[0].Params, false)
			if err != nil {
				t.Fatalf("answer %q to %q: %v", formatExtensions(answer), value, err)
			}
			cd, err := acceptAnswer(offer, a)
			if err != nil {
				t.Fatalf("answer %q to %q refused: %v", formatExtensions(answer), value, err)
			}
			if cd.ServerNoContextTakeover != d.ServerNoContextTakeover || cd.ServerMaxWindowBits != d.ServerMaxWindowBits ||
				d.ClientNoContextTakeover && !cd.ClientNoContextTakeover || cd.ClientMaxWindowBits > d.ClientMaxWindowBits {
				t.Fatalf("%q: server agreed %+v, client %+v", value, d, cd)
			}
			if a.clientBitsSent && a.clientBits < minAskedBits && a.clientBits != offer.clientBits {
				t.Fatalf("%q: answer %q asks the client for %d bits", value, formatExtensions(answer), a.clientBits)
			}
		}
	})
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

// The offer goes out in the request, after the subprotocols; the answer
// comes back in Result.
func TestDialDeflateTranscript(t *testing.T) {
	const answer = "permessage-deflate; server_no_context_takeover; client_max_window_bits=10"
	requests := make(chan string, 1)
	addr := rawServer(t, func(c net.Conn, req *http.Request, raw string) {
		requests <- raw
		io.WriteString(c, switching(req, "Sec-WebSocket-Extensions: "+answer+"\r\n"))
		io.Copy(io.Discard, c)
	})
	opts := &ClientOptions{
		Subprotocols: []string{"chat"},
		Deflate:      &DeflateOptions{PeerNoContextTakeover: true},
		Proxy:        noProxy,
	}
	res, _, err := dial(ctxTimeout(t, 5*time.Second), "ws://"+addr+"/", opts, strings.NewReader("the sample nonce"))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer res.Conn.Close()
	want := "GET / HTTP/1.1\r\n" +
		"Host: " + addr + "\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
		"Sec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Protocol: chat\r\n" +
		"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits\r\n" +
		"\r\n"
	if got := receive(t, requests); got != want {
		t.Errorf("request:\n%q\nwant:\n%q", got, want)
	}
	wantExts, _ := parseExtensions([]string{answer})
	if diff := cmp.Diff(wantExts, res.Extensions); diff != "" {
		t.Errorf("Result.Extensions mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&Deflate{true, true, 15, 10}, res.Deflate); diff != "" {
		t.Errorf("Result.Deflate mismatch (-want +got):\n%s", diff)
	}
}

// An answer the offer did not allow fails the handshake with an *Error, and
// the response is kept.
func TestDialDeflateBadAnswer(t *testing.T) {
	addr := rawServer(t, func(c net.Conn, req *http.Request, raw string) {
		io.WriteString(c, switching(req, "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=12\r\n"))
		io.Copy(io.Discard, c)
	})
	opts := &ClientOptions{Deflate: &DeflateOptions{PeerMaxWindowBits: 10}, Proxy: noProxy}
	res, resp, err := Dial(ctxTimeout(t, 5*time.Second), "ws://"+addr, opts)
	var he *Error
	if !errors.As(err, &he) || he.Status != http.StatusSwitchingProtocols || resp == nil || res != nil {
		t.Fatalf("Dial = %v, %v, %v; want a 101 *Error and the response", res, resp, err)
	}
	if !strings.Contains(he.Reason, "server_max_window_bits") {
		t.Errorf("reason %q does not name the parameter", he.Reason)
	}
}

// Dial against Accept on loopback: both ends hold the same answer and
// agreement.
func TestDialAcceptDeflate(t *testing.T) {
	server := &DeflateOptions{PeerNoContextTakeover: true, PeerMaxWindowBits: 11}
	srv, results := acceptServer(t, &ServerOptions{Deflate: server}, nil)
	client := &ClientOptions{Deflate: &DeflateOptions{PeerMaxWindowBits: 9}, Proxy: noProxy}
	res, _, err := Dial(ctxTimeout(t, 5*time.Second), "ws://"+srv.Listener.Addr().String(), client)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer res.Conn.Close()
	out := receive(t, results)
	if out.err != nil {
		t.Fatalf("Accept: %v", out.err)
	}
	defer out.res.Conn.Close()
	want := &Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 9, ClientMaxWindowBits: 11}
	if diff := cmp.Diff(want, out.res.Deflate); diff != "" {
		t.Errorf("server's agreement mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, res.Deflate); diff != "" {
		t.Errorf("client's agreement mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(out.res.Extensions, res.Extensions); diff != "" {
		t.Errorf("extensions mismatch (-server +client):\n%s", diff)
	}
}
