package handshake

import (
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
