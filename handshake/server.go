package handshake

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sort"
	"time"
)

// acceptWriteTimeout bounds the write of the 101 response, so a client that
// does not read cannot hold Accept forever.
const acceptWriteTimeout = 10 * time.Second

// CheckRequest checks that r is a valid WebSocket opening handshake (RFC
// 6455 §4.2.1). It returns nil or an *Error carrying the status to answer
// with. It does not check the origin: that needs the server's policy, which
// Accept applies.
//
// Over HTTP/2 (r.ProtoMajor 2) it checks an extended CONNECT instead (RFC
// 8441 §4-5; see the package documentation).
func CheckRequest(r *http.Request) error {
	if r.ProtoMajor == 2 {
		return checkExtendedConnect(r)
	}
	// "An HTTP/1.1 or higher GET request, including a "Request-URI"" (§4.2.1, item 1)
	if r.Method != http.MethodGet {
		return &Error{Status: http.StatusMethodNotAllowed, Reason: "the WebSocket handshake must be a GET request"}
	}
	if !r.ProtoAtLeast(1, 1) {
		return &Error{Status: http.StatusBadRequest, Reason: "the WebSocket handshake needs HTTP/1.1 or later"}
	}
	// "An |Upgrade| header field containing the value "websocket", treated
	// as an ASCII case-insensitive value." (§4.2.1, item 3)
	if !hasToken(r.Header.Values("Upgrade"), "websocket") {
		return &Error{Status: http.StatusUpgradeRequired, Reason: `missing "Upgrade: websocket"`}
	}
	// "A |Connection| header field that includes the token "Upgrade",
	// treated as an ASCII case-insensitive value." (§4.2.1, item 4)
	if !hasToken(r.Header.Values("Connection"), "upgrade") {
		return &Error{Status: http.StatusUpgradeRequired, Reason: `missing "Connection: Upgrade"`}
	}
	if err := checkVersion(r); err != nil {
		return err
	}
	// A GET has no body of defined meaning (RFC 9110 §9.3.1), and here one
	// would be taken for the first WebSocket frames: refuse it rather than
	// let an intermediary and this server disagree on where it ends.
	if r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
		return &Error{Status: http.StatusBadRequest, Reason: "a handshake request has no body"}
	}
	// "A |Host| header field containing the server's authority." (§4.2.1, item 2)
	if r.Host == "" {
		return &Error{Status: http.StatusBadRequest, Reason: "missing Host"}
	}
	// "A |Sec-WebSocket-Key| header field with a base64-encoded value that,
	// when decoded, is 16 bytes in length." (§4.2.1, item 5) and "The
	// |Sec-WebSocket-Key| header field MUST NOT appear more than once in an
	// HTTP request." (§11.3.1)
	keys := r.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return &Error{Status: http.StatusBadRequest, Reason: "want exactly one Sec-WebSocket-Key"}
	}
	if !validKey(keys[0]) {
		return &Error{Status: http.StatusBadRequest, Reason: "Sec-WebSocket-Key is not 16 bytes in base64"}
	}
	return checkLists(r)
}

// validKey reports whether key is the base64 of 16 bytes.
func validKey(key string) bool {
	key = trimOWS(key)
	if len(key) != 24 {
		return false
	}
	var b [18]byte
	n, err := base64.StdEncoding.Decode(b[:], []byte(key))
	return err == nil && n == 16
}

// dropUnsendable removes from h, the headers a handler set for the 101
// response, every field that cannot be sent as it is: a name that is not a
// token (RFC 9110 §5.1) or a value that is not a valid field value (§5.5,
// validFieldValue). It returns an error naming the first such field, or
// nil. The fields the handshake sets itself are left alone: they are not
// sent anyway.
func dropUnsendable(h http.Header) error {
	var bad []string
	for name, values := range h {
		if handshakeHeaders[http.CanonicalHeaderKey(name)] {
			continue
		}
		ok := isToken(name)
		for _, v := range values {
			ok = ok && validFieldValue(v)
		}
		if !ok {
			bad = append(bad, name)
			delete(h, name)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("handshake: the handler set header %q, which cannot be sent: its name is not a token or a value holds a control character", slices.Min(bad))
}

// check reports a server misconfiguration.
func (opts *ServerOptions) check() error { return opts.Deflate.check() }

// selectSubprotocol returns the first of the server's subprotocols that the
// client offered, or "".
func selectSubprotocol(r *http.Request, ours []string) string {
	if len(ours) == 0 {
		return ""
	}
	offered, err := parseTokenList(r.Header.Values("Sec-WebSocket-Protocol"))
	if err != nil {
		return ""
	}
	for _, p := range ours {
		if slices.Contains(offered, p) {
			return p
		}
	}
	return ""
}

// refuse answers a refused handshake: a short plain-text body, the headers
// the status needs, and "Connection: close", so that net/http closes the
// connection and nothing pipelined behind the request is read as HTTP.
func refuse(w http.ResponseWriter, r *http.Request, status int, reason string) {
	h := w.Header()
	if r.ProtoMajor == 2 {
		// Over HTTP/2 the refusal ends one stream, not the connection
		// (net/http would take "Connection: close" for a GOAWAY), and
		// connection-specific fields are malformed (RFC 9113 §8.2.2).
		refuseStream(w, status, reason)
		return
	}
	h.Set("Connection", "close")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	switch status {
	case http.StatusMethodNotAllowed:
		h.Set("Allow", http.MethodGet)
	case http.StatusUpgradeRequired:
		h.Set("Upgrade", "websocket")
		// §4.4: the versions the server understands.
		h.Set("Sec-WebSocket-Version", "13")
	}
	w.WriteHeader(status)
	io.WriteString(w, reason+"\n")
}

// Accept completes the server side of the opening handshake (RFC 6455
// §4.2). It checks r, applies the origin policy, picks the subprotocol,
// hijacks the connection and writes the 101 response. Over HTTP/2, where the
// handshake is an extended CONNECT (RFC 8441), it answers 200 instead and
// returns the request's stream in Result.Stream (see the package
// documentation).
//
// On error the HTTP response has already been written (the status is in
// the returned *Error, or 500 when the handler's headers cannot be sent or
// the connection could not be taken over)
// and the handler must not write to w again.
//
// Headers the handler set on w before calling Accept (for example
// Set-Cookie) are sent with the 101 response, except those the handshake
// sets itself. If one of them cannot be sent as it is (its name is not a
// token, or a value holds a control character other than HTAB: RFC 9110
// §5.5), the handler is misconfigured: Accept answers 500 without it and
// returns an error naming it.
//
// With opts.Deflate set, Accept answers the first valid permessage-deflate
// offer (RFC 7692 §5, §7) and reports the agreement in Result.Deflate; an
// invalid offer is declined, not refused. No other extension is accepted.
func Accept(w http.ResponseWriter, r *http.Request, opts *ServerOptions) (*Result, error) {
	if opts == nil {
		opts = &ServerOptions{}
	}
	if err := opts.check(); err != nil {
		refuse(w, r, http.StatusInternalServerError, "server misconfigured")
		return nil, err
	}
	if err := dropUnsendable(w.Header()); err != nil {
		refuse(w, r, http.StatusInternalServerError, "server misconfigured")
		return nil, err
	}
	if r.ProtoMajor == 2 {
		return acceptStream(w, r, opts)
	}
	if err := CheckRequest(r); err != nil {
		var he *Error
		if errors.As(err, &he) {
			refuse(w, r, he.Status, he.Reason)
		}
		return nil, err
	}
	if err := checkOrigin(r, opts); err != nil {
		var he *Error
		if errors.As(err, &he) {
			refuse(w, r, he.Status, he.Reason)
		}
		return nil, err
	}
	res := &Result{Subprotocol: selectSubprotocol(r, opts.Subprotocols)}
	res.Deflate, res.Extensions = negotiateDeflate(r.Header.Values("Sec-WebSocket-Extensions"), opts.Deflate)
	resp := appendResponse(nil, ComputeAccept(trimOWS(r.Header.Get("Sec-WebSocket-Key"))), res.Subprotocol, res.Extensions, w.Header())
	var err error
	if res.Conn, res.Buffered, err = takeOver(w, r, resp); err != nil {
		return nil, err
	}
	return res, nil
}

// takeOver hijacks the connection of w, copies out what the peer sent
// after its request, and writes resp, the 101 response. It is a function
// of its own, called last, so that the deepest calls of a handshake (the
// socket write) do not stack on Accept's frame: a goroutine whose stack
// once grew past 4 KiB keeps 8 KiB for as long as it serves the WebSocket.
func takeOver(w http.ResponseWriter, r *http.Request, resp []byte) (net.Conn, []byte, error) {
	netConn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijacked: net/http still owns the response.
		refuse(w, r, http.StatusInternalServerError, "cannot take over the connection")
		return nil, nil, fmt.Errorf("handshake: hijack: %w", err)
	}
	var buffered []byte
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		buffered = slices.Clone(b)
	}
	if err := brw.Writer.Flush(); err != nil {
		netConn.Close()
		return nil, nil, fmt.Errorf("handshake: flushing: %w", err)
	}
	// net/http keeps these buffers reachable until the handler returns; a
	// handler that goes on serving the WebSocket would pin 8 KiB per idle
	// connection. Everything they held has been copied out above.
	*brw.Reader = bufio.Reader{}
	*brw.Writer = bufio.Writer{}

	netConn.SetWriteDeadline(time.Now().Add(acceptWriteTimeout))
	if _, err := netConn.Write(resp); err != nil {
		netConn.Close()
		return nil, nil, fmt.Errorf("handshake: writing response: %w", err)
	}
	netConn.SetWriteDeadline(time.Time{})
	return netConn, buffered, nil
}

// handshakeHeaders are set by the handshake itself; callers cannot override them.
var handshakeHeaders = map[string]bool{
	"Upgrade":                  true,
	"Connection":               true,
	"Sec-Websocket-Key":        true,
	"Sec-Websocket-Version":    true,
	"Sec-Websocket-Accept":     true,
	"Sec-Websocket-Extensions": true,
	"Sec-Websocket-Protocol":   true,
	"Content-Length":           true,
	"Transfer-Encoding":        true,
}

// appendResponse appends the 101 response of §4.2.2, item 5.
func appendResponse(b []byte, accept, subprotocol string, exts []Extension, extra http.Header) []byte {
	b = append(b, "HTTP/1.1 101 Switching Protocols\r\n"+
		"Upgrade: websocket\r\n"+
		"Connection: Upgrade\r\n"+
		"Sec-WebSocket-Accept: "...)
	b = append(b, accept...)
	b = append(b, "\r\n"...)
	if subprotocol != "" {
		b = append(b, "Sec-WebSocket-Protocol: "...)
		b = append(b, subprotocol...)
		b = append(b, "\r\n"...)
	}
	b = appendExtensionsHeader(b, exts)
	b = appendHeaders(b, extra, func(name string) bool { return !handshakeHeaders[name] })
	return append(b, "\r\n"...)
}

// appendHeaders appends the fields of h that keep accepts and that are safe
// to send, sorted by name so the output is deterministic.
func appendHeaders(b []byte, h http.Header, keep func(canonicalName string) bool) []byte {
	if len(h) == 0 {
		return b
	}
	names := make([]string, 0, len(h))
	for name := range h {
		if isToken(name) && keep(http.CanonicalHeaderKey(name)) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range h[name] {
			if !validFieldValue(v) {
				continue // refused before (dropUnsendable, checkClientOptions)
			}
			b = append(b, name...)
			b = append(b, ": "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	return b
}
