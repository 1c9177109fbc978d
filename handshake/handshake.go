package handshake

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
)

// Param is one extension parameter (RFC 6455 §9.1). Value is empty for a
// parameter given without a value; a quoted value is stored unescaped.
type Param struct {
	Name, Value string
}

// Extension is one element of a Sec-WebSocket-Extensions list (RFC 6455 §9.1).
type Extension struct {
	Name   string
	Params []Param
}

// Result is a completed opening handshake.
type Result struct {
	// Conn is the upgraded connection; the caller owns it and must close it.
	// It is nil when the handshake ran over HTTP/2: see Stream.
	Conn net.Conn
	// Stream is the HTTP/2 stream the WebSocket runs on when the handshake
	// was an extended CONNECT (RFC 8441), or nil. The caller owns it and
	// must close it.
	Stream *Stream
	// Buffered holds the bytes the peer sent right after its handshake that
	// were already read from Conn into a buffer. They come before anything
	// read from Conn. It is nil when there were none.
	Buffered []byte
	// Subprotocol is the negotiated subprotocol, or "" for none.
	Subprotocol string
	// Extensions lists the negotiated extensions: the server's answer, as
	// Accept sent it or as Dial parsed it. It is empty when none was
	// agreed; permessage-deflate is the only one this package negotiates.
	Extensions []Extension
	// Deflate is the permessage-deflate agreement (RFC 7692), or nil when
	// compression was not negotiated.
	Deflate *Deflate
}

// Error is a handshake that was refused: by Accept, the request it refused
// and the status it answered with; by Dial and CheckResponse, the response
// that did not complete the handshake and its status.
type Error struct {
	Status int    // HTTP status code
	Reason string // short explanation, also the refusal body
}

// Error returns "handshake: " followed by the status and the reason.
func (e *Error) Error() string {
	return fmt.Sprintf("handshake: %d %s: %s", e.Status, http.StatusText(e.Status), e.Reason)
}

// ServerOptions configures Accept. A nil *ServerOptions is the zero value.
type ServerOptions struct {
	// Subprotocols lists the subprotocols the server speaks, in order of
	// preference. The first of them that the client offered is chosen.
	Subprotocols []string
	// OriginPatterns lists additional origins allowed besides the request's
	// own host. Each is matched, ASCII case-insensitively, against the
	// Origin's host and against its host:port, as the Origin writes them (an
	// IPv6 address in its brackets). In a pattern '*' stands for any run of
	// characters and every other character for itself (brackets too: there
	// are no character classes): "*.example.com", "localhost:*", "[::1]:*".
	OriginPatterns []string
	// InsecureSkipOriginCheck disables the origin check. Any web page can
	// then open a connection with the user's cookies (cross-site WebSocket
	// hijacking). Use OriginPatterns instead where possible.
	InsecureSkipOriginCheck bool
	// Deflate, when set, makes Accept answer the client's first valid
	// permessage-deflate offer (RFC 7692) under its policy. Nil ignores
	// offers.
	Deflate *DeflateOptions
}

// ClientOptions configures Dial. A nil *ClientOptions is the zero value.
type ClientOptions struct {
	// Header holds extra request headers, such as Origin, Cookie or
	// Authorization. Values with a control character other than HTAB (RFC
	// 9110 §5.5), and the headers the handshake sets itself, are refused.
	Header http.Header
	// Subprotocols lists the subprotocols to offer, in order of preference.
	// Each must be an HTTP token, and each may appear once.
	Subprotocols []string
	// TLSConfig configures wss:// connections (and https proxies). It is
	// cloned; an empty ServerName is set from the URL's host.
	TLSConfig *tls.Config
	// NetDialContext dials TCP connections; nil uses a net.Dialer.
	NetDialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Proxy picks the proxy for a request (whose URL has the scheme http or
	// https), as http.Transport.Proxy does; nil means
	// http.ProxyFromEnvironment. Proxies are reached with HTTP CONNECT.
	Proxy func(*http.Request) (*url.URL, error)
	// Deflate, when set, makes Dial offer permessage-deflate (RFC 7692)
	// under its policy and check the server's answer. Nil offers nothing.
	Deflate *DeflateOptions
	// HTTP2, when set, makes Dial open the WebSocket as a stream of an
	// HTTP/2 connection of this transport (RFC 8441), shared with its other
	// requests, instead of a connection of its own: wss:// only.
	// TLSConfig, NetDialContext and Proxy are not used then; the
	// transport's own settings apply. The transport should speak HTTP/2
	// only (Protocols), and the server must allow extended CONNECT:
	// otherwise Dial returns an error wrapping ErrNoExtendedConnect. Each
	// Dial opens a TLS connection, which joins the transport's pool unless
	// the pool has one to the server that can take another stream: then
	// it is closed at once, and the WebSocket runs on the pooled one.
	HTTP2 *http.Transport
}

// acceptGUID is the "globally unique identifier" of RFC 6455 §1.3.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// ComputeAccept returns the Sec-WebSocket-Accept value for a
// Sec-WebSocket-Key: the base64 of the SHA-1 of the key followed by the GUID
// of RFC 6455 §1.3.
func ComputeAccept(key string) string {
	h := sha1.New()
	io.WriteString(h, key)
	io.WriteString(h, acceptGUID)
	var sum [sha1.Size]byte
	return base64.StdEncoding.EncodeToString(h.Sum(sum[:0]))
}

// NewKey returns a new Sec-WebSocket-Key: 16 bytes read from rand, base64
// encoded. Pass crypto/rand.Reader: "The nonce MUST be selected randomly for
// each connection." (RFC 6455 §4.1)
func NewKey(rand io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return "", fmt.Errorf("handshake: reading key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b[:]), nil
}
