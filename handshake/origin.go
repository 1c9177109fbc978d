package handshake

import (
	"net/http"
	"net/url"
	"strings"
)

// checkOrigin applies the origin policy of opts to r. A request without an
// Origin header comes from a non-browser client and is allowed: the check
// protects browsers' users from cross-site WebSocket hijacking (RFC 6455
// §10.2).
//
// Hosts are compared as the Origin writes them, an IPv6 address in its
// brackets, and ASCII case-insensitively: "Although host is
// case-insensitive, producers and normalizers should use lowercase for
// registered names and hexadecimal addresses" (RFC 3986 §3.2.2), and a host
// is ASCII. Unicode case folding would take other characters for its
// letters: the Kelvin sign (U+212A) for a 'k'.
func checkOrigin(r *http.Request, opts *ServerOptions) error {
	if opts.InsecureSkipOriginCheck {
		return nil
	}
	origins := r.Header.Values("Origin")
	if len(origins) == 0 {
		return nil
	}
	if len(origins) > 1 {
		return &Error{Status: http.StatusForbidden, Reason: "more than one Origin"}
	}
	u, err := url.Parse(origins[0])
	if err != nil || u.Host == "" {
		return &Error{Status: http.StatusForbidden, Reason: "origin not allowed"}
	}
	if equalFoldASCII(u.Host, r.Host) {
		return nil
	}
	host := withoutPort(u.Host)
	for _, p := range opts.OriginPatterns {
		if matchHost(p, host) || matchHost(p, u.Host) {
			return nil
		}
	}
	return &Error{Status: http.StatusForbidden, Reason: "origin not allowed"}
}

// withoutPort returns hostport without its port, if any, keeping the
// brackets of an IPv6 address: "[::1]:8080" becomes "[::1]".
func withoutPort(hostport string) string {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 || i < strings.LastIndexByte(hostport, ']') {
		return hostport
	}
	return hostport[:i]
}

// matchHost reports whether host matches pattern, ASCII case-insensitively.
// In a pattern, '*' stands for any run of bytes, none included; every other
// byte stands for itself, brackets too, so that "[::1]:*" is the IPv6
// loopback address on any port (path.Match would read "[::1]" as a
// character class).
//
// It backtracks to the last '*' only, so it makes at most
// len(pattern)*len(host) steps.
func matchHost(pattern, host string) bool {
	p, h := 0, 0
	star, resume := -1, 0 // the last '*' seen, and where its match would end next
	for h < len(host) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, resume = p, h
			p++
		case p < len(pattern) && lowerASCII(pattern[p]) == lowerASCII(host[h]):
			p++
			h++
		case star >= 0:
			// Let the last '*' take one byte more, and match on from there.
			resume++
			p, h = star+1, resume
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
