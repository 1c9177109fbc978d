package handshake

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// target is a parsed and checked WebSocket URL.
type target struct {
	u        *url.URL // scheme mapped to http or https, for Proxy
	secure   bool
	addr     string // host:port to connect to
	hostname string // for TLS ServerName
}

func parseURL(rawURL string) (target, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// A *url.Error repeats the URL, and with it any password.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return target{}, fmt.Errorf("handshake: malformed URL: %w", err)
	}
	var t target
	var port string
	switch strings.ToLower(u.Scheme) {
	case "ws", "http":
		u.Scheme, port = "http", "80"
	case "wss", "https":
		u.Scheme, port, t.secure = "https", "443", true
	default:
		return target{}, fmt.Errorf("handshake: unsupported URL scheme %q", u.Scheme)
	}
	// The ws-URI of RFC 6455 §3 has no userinfo, and a password in it would
	// go out in clear text over ws:// (the error does not repeat it).
	if u.User != nil {
		return target{}, errors.New("handshake: URL holds user info (user:password@), which a WebSocket URL cannot carry: send credentials in a header")
	}
	if u.Host == "" || u.Opaque != "" {
		return target{}, fmt.Errorf("handshake: URL %q has no host", rawURL)
	}
	// "Fragment identifiers are meaningless in the context of WebSocket
	// URIs and MUST NOT be used on these URIs." (§3)
	if u.Fragment != "" || strings.Contains(rawURL, "#") {
		return target{}, errors.New("handshake: URL has a fragment")
	}
	t.hostname = u.Hostname()
	if p := u.Port(); p != "" {
		port = p
	}
	t.addr = net.JoinHostPort(t.hostname, port)
	t.u = u
	return t, nil
}

// checkClientOptions refuses options that would break or smuggle into the request.
func checkClientOptions(opts *ClientOptions) error {
	// "The elements that comprise this value MUST be non-empty strings with
	// characters in the range U+0021 to U+007E not including separator
	// characters as defined in [RFC2616] and MUST all be unique strings."
	// (§4.1, item 10)
	for i, p := range opts.Subprotocols {
		if !isToken(p) {
			return fmt.Errorf("handshake: subprotocol %q is not a token", p)
		}
		if slices.Contains(opts.Subprotocols[:i], p) {
			return fmt.Errorf("handshake: subprotocol %q offered twice", p)
		}
	}
	for name, values := range opts.Header {
		if !isToken(name) {
			return fmt.Errorf("handshake: header name %q is not a token", name)
		}
		canon := http.CanonicalHeaderKey(name)
		if canon == "Sec-Websocket-Protocol" && len(opts.Subprotocols) > 0 || canon != "Sec-Websocket-Protocol" && handshakeHeaders[canon] {
			return fmt.Errorf("handshake: header %s is set by the handshake", canon)
		}
		for _, v := range values {
			if !validFieldValue(v) {
				return fmt.Errorf("handshake: header %s: value holds a control character (RFC 9110 §5.5)", canon)
			}
		}
	}
	return opts.Deflate.check()
}

// appendRequest appends the client's opening handshake (§4.1).
func appendRequest(b []byte, t target, key string, opts *ClientOptions) []byte {
	host := removeZone(t.u.Host)
	if h := headerGet(opts.Header, "Host"); h != "" {
		host = h
	}
	b = append(b, "GET "...)
	b = append(b, t.u.RequestURI()...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "...)
	b = append(b, key...)
	b = append(b, "\r\nSec-WebSocket-Version: 13\r\n"...)
	if len(opts.Subprotocols) > 0 {
		b = append(b, "Sec-WebSocket-Protocol: "...)
		b = append(b, strings.Join(opts.Subprotocols, ", ")...)
		b = append(b, "\r\n"...)
	}
	b = appendDeflateOffer(b, opts.Deflate)
	b = appendHeaders(b, opts.Header, func(name string) bool { return name != "Host" })
	return append(b, "\r\n"...)
}
