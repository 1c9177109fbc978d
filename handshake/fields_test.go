package handshake

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// RFC 6455 compares its tokens "as an ASCII case-insensitive value": the
// Kelvin sign (U+212A), which Unicode folds to 'k', and the long s (U+017F),
// which folds to 's', are not the letters, on either side or in an origin.
func TestCaseFoldingIsASCIIOnly(t *testing.T) {
	const kelvin, longS = "\u212a", "\u017f"
	t.Run("request Upgrade", func(t *testing.T) {
		for _, upgrade := range []string{"websoc" + kelvin + "et", "web" + longS + "ocket"} {
			r := upgradeRequest()
			r.Header.Set("Upgrade", upgrade)
			var he *Error
			if err := CheckRequest(r); !errors.As(err, &he) || he.Status != http.StatusUpgradeRequired {
				t.Errorf("Upgrade: %q: CheckRequest = %v, want a 426 *Error", upgrade, err)
			}
		}
	})
	t.Run("response Upgrade", func(t *testing.T) {
		addr := rawServer(t, func(c net.Conn, req *http.Request, raw string) {
			io.WriteString(c, strings.Replace(switching(req, ""), "Upgrade: websocket", "Upgrade: websoc"+kelvin+"et", 1))
		})
		res, _, err := Dial(ctxTimeout(t, 5*time.Second), "ws://"+addr, &ClientOptions{Proxy: noProxy})
		if err == nil {
			res.Conn.Close()
			t.Fatal("Dial accepted Upgrade: websoc\\u212aet")
		}
		var he *Error
		if !errors.As(err, &he) || he.Status != http.StatusSwitchingProtocols {
			t.Errorf("Dial error = %v, want an *Error with the 101", err)
		}
	})
	origins := []struct {
		name, host, origin string
		patterns           []string
	}{
		{name: "origin host against a pattern", host: "server.example", origin: "https://kios" + kelvin + ".example", patterns: []string{"kiosk.example"}},
		{name: "origin host against a wildcard pattern", host: "server.example", origin: "https://a.kios" + kelvin + ".example", patterns: []string{"*.kiosk.example"}},
		{name: "origin host against the request's Host", host: "kiosk.example", origin: "https://kios" + kelvin + ".example"},
		{name: "origin host:port against the request's Host", host: "kiosk.example:8080", origin: "https://kios" + kelvin + ".example:8080"},
	}
	for _, tt := range origins {
		t.Run(tt.name, func(t *testing.T) {
			r := upgradeRequest()
			r.Host = tt.host
			r.Header.Set("Origin", tt.origin)
			if err := checkOrigin(r, &ServerOptions{OriginPatterns: tt.patterns}); err == nil {
				t.Errorf("Origin %q allowed for Host %q, patterns %q", tt.origin, tt.host, tt.patterns)
			}
		})
	}
}

// Header values follow RFC 9110 §5.5, as net/http applies it: no control
// character but HTAB. The client refuses to send one.
func TestDialRefusesControlCharactersInHeaderValues(t *testing.T) {
	for _, v := range []string{"a\vb", "a\x7fb", "\x1b[31mred", "a\x01b", "a\x0cb", "a\x1fb"} {
		dialed := false
		_, resp, err := Dial(t.Context(), "ws://127.0.0.1/", &ClientOptions{
			Header: http.Header{"X-A": {v}},
			Proxy:  noProxy,
			NetDialContext: func(context.Context, string, string) (net.Conn, error) {
				dialed = true
				return nil, errors.New("must not dial")
			},
		})
		if err == nil || resp != nil || !strings.HasPrefix(err.Error(), "handshake: ") || dialed {
			t.Errorf("value %q: Dial = %v, %v (dialed %v); want a handshake error before dialing", v, resp, err, dialed)
		}
	}
	// What the rule allows still goes out.
	for _, v := range []string{"", "a\tb", " padded ", "caf\xc3\xa9", "\x80\xff", `"quoted", list; q=0.5`} {
		if err := checkClientOptions(&ClientOptions{Header: http.Header{"X-A": {v}}}); err != nil {
			t.Errorf("value %q refused: %v", v, err)
		}
	}
}

// A header the handler set before Accept that cannot be sent as it is (a
// name that is not a token, a value with a control character) is the
// handler's mistake: Accept answers 500 and sends none of it, rather than a
// 101 carrying it or missing it silently.
func TestAcceptRefusesUnsendableHandlerHeaders(t *testing.T) {
	tests := []struct {
		name, field, value string
	}{
		{name: "ESC", field: "X-Color", value: "\x1b[31mred"},
		{name: "vertical tab", field: "X-A", value: "a\vb"},
		{name: "DEL", field: "X-A", value: "a\x7fb"},
		{name: "CR LF", field: "X-A", value: "a\r\nInjected: yes"},
		{name: "NUL", field: "X-A", value: "a\x00b"},
		{name: "name not a token", field: "X A", value: "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, results := acceptServer(t, nil, func(w http.ResponseWriter) {
				w.Header().Set("X-Fine", "ok")
				w.Header()[tt.field] = []string{tt.value}
			})
			req := strings.Replace(goldenRequest, "Origin: http://example.com\r\n", "", 1)
			_, br := rawExchange(t, srv, req)
			out := receive(t, results)
			if out.err == nil {
				out.res.Conn.Close()
				t.Errorf("Accept succeeded with %s: %q", tt.field, tt.value)
			} else if !strings.HasPrefix(out.err.Error(), "handshake: ") {
				t.Errorf("error %q lacks the package prefix", out.err)
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", resp.StatusCode)
			}
			if _, ok := resp.Header[http.CanonicalHeaderKey(tt.field)]; ok {
				t.Errorf("the refusal carries %s: %q", tt.field, resp.Header.Get(tt.field))
			}
		})
	}
}
