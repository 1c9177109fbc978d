// Package handshake implements the WebSocket opening handshake of RFC 6455
// §4: the server side (§4.2, Accept) and the client side (§4.1, Dial), over
// HTTP/1.1 and over HTTP/2 (RFC 8441), with the negotiation of
// permessage-deflate (RFC 7692 §5, §7).
//
// Most programs use package conn, whose Accept and Dial wrap these and
// return a ready connection. This package is for code that wants the
// upgraded net.Conn itself.
//
// # What it checks
//
// Accept refuses a request that is not a valid handshake (§4.2.1) with a
// short plain-text response and "Connection: close", and returns an *Error
// holding the status it sent:
//
//   - a method other than GET: 405, with "Allow: GET";
//   - HTTP/1.0: 400;
//   - no "websocket" token in Upgrade or no "Upgrade" token in Connection:
//     426, with "Upgrade: websocket";
//   - Sec-WebSocket-Version missing or not 13: 426, with
//     "Sec-WebSocket-Version: 13" (§4.4);
//   - no Host, a Sec-WebSocket-Key that is not the base64 of 16 bytes or
//     that appears twice (§11.3.1), a malformed Sec-WebSocket-Protocol
//     (§11.3.4) or Sec-WebSocket-Extensions (§9.1) list: 400;
//   - an Origin the server does not allow: 403;
//   - a header the handler set for the 101 response that cannot be sent (a
//     name that is not a token, a value with a control character other
//     than HTAB, RFC 9110 §5.5): 500, without that header.
//
// Tokens are compared ASCII case-insensitively and found inside lists, and a
// field sent on several lines is read as one list (RFC 7230 §3.2.2, §7).
// The list parsers make one pass over their input and use no regular
// expressions.
//
// The origin check protects browser users from cross-site WebSocket
// hijacking (§10.2): by default the Origin's host (with its port) must equal
// the request's Host; ServerOptions.OriginPatterns allows more hosts, and
// ServerOptions.InsecureSkipOriginCheck turns the check off. A request
// without an Origin header does not come from a browser and is allowed.
// Patterns are matched against the host as the Origin writes it, an IPv6
// address in its brackets, and only '*' is special in them: "[::1]:*" is
// the IPv6 loopback address on any port.
//
// The server picks the first of its own subprotocols that the client
// offered (§4.2.2); with none in common it sends no Sec-WebSocket-Protocol
// and the handshake still succeeds.
//
// Dial checks the server's answer as §4.1 requires: status 101, Upgrade
// and Connection tokens, Sec-WebSocket-Accept (§1.3, ComputeAccept), a
// chosen subprotocol that was offered, on one line at most (§11.3.4), and
// no extension that was not offered. It refuses URLs that carry user info
// ("ws://user:password@host/"): a WebSocket URL has none (§3), and over
// ws:// the password would travel in clear text; send credentials in
// ClientOptions.Header instead. It refuses to send header values holding a
// control character other than HTAB (RFC 9110 §5.5, the rule net/http
// applies), subprotocol names that are not tokens, and headers that would
// override the handshake's own. An IPv6 zone in the URL ("[fe80::1%25en0]")
// chooses the interface to dial but is left out of the Host header. It
// reads at most 64 KiB of response header. It reaches the server directly
// or through an HTTP CONNECT proxy (http or https), with
// http.ProxyFromEnvironment as the default.
//
// # Compression
//
// permessage-deflate (RFC 7692) is the one extension negotiated, and only
// when ServerOptions.Deflate or ClientOptions.Deflate is set; otherwise
// Accept ignores offers and Dial offers nothing. Result.Deflate holds the
// agreement, Result.Extensions the answer; compressing is package conn's
// job.
//
// Accept answers the first permessage-deflate offer it finds valid, in the
// client's order of preference (§5), and declines the others without
// failing the handshake (§7): an offer with an unknown or repeated
// parameter, a value on a parameter that takes none, or a window that is
// not 8 to 15 written without a leading zero. It answers within the offer:
// server_no_context_takeover when asked (§7.1.1.1), the
// server_max_window_bits asked, whatever it is (§7.1.2.1), and
// client_max_window_bits only if the client offered it (§7.1.2.2); the
// DeflateOptions add what the server asks for itself. Other extensions are
// ignored.
//
// Dial offers "permessage-deflate; client_max_window_bits" with the
// parameters DeflateOptions asks for, and fails the handshake (an *Error,
// with the response) on an answer the offer did not allow: another
// extension, two elements, an unknown, repeated or malformed parameter, a
// window larger than asked, or a server_no_context_takeover asked for and
// not answered. A response without Sec-WebSocket-Extensions means no
// compression.
//
// # HTTP/2
//
// Over HTTP/2 (RFC 8441) the opening handshake is an extended CONNECT:
// ":protocol: websocket" (net/http hands it to the handler as that header,
// with the method CONNECT and r.ProtoMajor 2), no Connection, Upgrade,
// Sec-WebSocket-Key or Sec-WebSocket-Accept, and the other fields of RFC
// 6455 as over HTTP/1.1 (§5). Accept checks it (CheckRequest: 405 with
// "Allow: CONNECT" for another method, 400 without ":protocol: websocket"
// or with Connection or Upgrade, and the version, Origin, subprotocol and
// extension rules above), answers 200 and returns the request's stream in
// Result.Stream. Its refusals end that stream only: no "Connection: close",
// which net/http's HTTP/2 server would take for the end of the connection.
// net/http's server advertises extended CONNECT only in a process run with
// GODEBUG=http2xconnect=1.
//
// ClientOptions.HTTP2 makes Dial send the extended CONNECT on an HTTP/2
// connection of an http.Transport (wss:// only) and check the 2xx answer,
// the subprotocol and the extensions as over HTTP/1.1. A server that did
// not advertise SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3) gives an
// error wrapping ErrNoExtendedConnect.
//
// # Bytes after the handshake
//
// A peer may send its first frames right behind its handshake, and they may
// already sit in the buffer the handshake was read with. Result.Buffered
// holds them; a reader of the connection must consume Buffered before
// reading Result.Conn. Accept drops net/http's read and write buffers once
// it has copied them out, so an idle upgraded connection does not keep
// them alive.
//
// # Timeouts
//
// Dial's context bounds the whole handshake: the dial, the proxy, TLS, the
// request and the response. Once Dial has returned, the context has no
// effect on the connection. Accept writes its 101 response with a 10-second
// write deadline and clears it afterwards; bounding the time to read the
// request is the http.Server's job, through ReadHeaderTimeout (set it, and
// MaxHeaderBytes, on every server that accepts WebSockets).
//
// # Concurrency
//
// Accept, Dial and the pure functions may be called from any number of
// goroutines at once. Options are only read, and must not be modified
// during a call. A Result belongs to the caller; this package keeps no
// reference to it.
package handshake
