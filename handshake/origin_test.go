package handshake

import "testing"

// An IPv6 origin pattern names the address as the Origin writes it, brackets
// included: "[::1]:*" is the loopback address on any port, not a character
// class that lets in every address starting with ':' or '1'.
func TestOriginPatternBracketsAreLiteral(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		origin  string
		ok      bool
	}{
		{name: "loopback, any port", pattern: "[::1]:*", origin: "http://[::1]:3000", ok: true},
		{name: "loopback, no port, any-port pattern", pattern: "[::1]:*", origin: "http://[::1]"},
		{name: "loopback, no port", pattern: "[::1]", origin: "http://[::1]", ok: true},
		{name: "loopback with a port, host pattern", pattern: "[::1]", origin: "http://[::1]:3000", ok: true},
		{name: "mapped IPv4 address", pattern: "[::1]:*", origin: "http://[::ffff:102:304]"},
		{name: "mapped IPv4 address with port", pattern: "[::1]:*", origin: "http://[::ffff:102:304]:80"},
		{name: "other address", pattern: "[::1]:*", origin: "http://[::abcd]"},
		{name: "other address, no port", pattern: "[::1]", origin: "http://[::abcd]"},
		{name: "address in brackets only", pattern: "[::1]", origin: "http://[1::]"},
		{name: "star inside brackets", pattern: "[fd00::*]:*", origin: "http://[fd00::42]:8080", ok: true},
		{name: "star inside brackets, other prefix", pattern: "[fd00::*]:*", origin: "http://[fe80::42]:8080"},
		{name: "letters of an address in either case", pattern: "[FD00::AB]", origin: "http://[fd00::ab]", ok: true},
		{name: "unbracketed pattern does not match an IPv6 origin", pattern: "::1", origin: "http://[::1]"},
		{name: "IPv4 host pattern", pattern: "127.0.0.1", origin: "http://127.0.0.1:5173", ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := upgradeRequest()
			r.Host = "server.example"
			r.Header.Set("Origin", tt.origin)
			err := checkOrigin(r, &ServerOptions{OriginPatterns: []string{tt.pattern}})
			if (err == nil) != tt.ok {
				t.Errorf("pattern %q, Origin %q: checkOrigin = %v, want allowed %v", tt.pattern, tt.origin, err, tt.ok)
			}
		})
	}
}

// matchHost is a glob in which only '*' is special.
func TestMatchHost(t *testing.T) {
	tests := []struct {
		pattern, host string
		want          bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything.example:80", true},
		{"*.example.com", "a.b.example.com", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "a.example.com.evil", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"**", "x", true},
		{"?", "x", false},      // no single-character wildcard
		{"[ab]", "a", false},   // no character class
		{"[ab]", "[ab]", true}, // brackets stand for themselves
		{`a\*`, `a\bc`, true},  // a backslash is an ordinary byte
		{"ExAmple", "eXample", true},
		{"kiosk", "kios\u212a", false}, // the Kelvin sign is not a k
	}
	for _, tt := range tests {
		if got := matchHost(tt.pattern, tt.host); got != tt.want {
			t.Errorf("matchHost(%q, %q) = %v, want %v", tt.pattern, tt.host, got, tt.want)
		}
	}
}
