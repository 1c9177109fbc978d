package handshake

import (
	"errors"
	"net/http"
	"strings"
)

// checkExtendedConnect checks that r, an HTTP/2 request, is a WebSocket
// opening handshake by extended CONNECT (RFC 8441 §4-5). It returns nil or an
// *Error carrying the status to answer with. net/http's HTTP/2 server has
// already refused a :protocol it did not advertise (GODEBUG=http2xconnect=1),
// a CONNECT with :protocol but without :scheme or :path (§4: "On requests
// that contain the :protocol pseudo-header field, the :scheme and :path
// pseudo-header fields of the target URI ... MUST also be included."), and
// connection-specific fields (RFC 9113 §8.2.2); the checks here hold for a
// request built by hand too.
func checkExtendedConnect(r *http.Request) error {
	// "This request replaces the GET-based request in [RFC6455]" (§5): over
	// HTTP/2 a WebSocket opens with CONNECT only.
	if r.Method != http.MethodConnect {
		return &Error{Status: http.StatusMethodNotAllowed, Reason: "over HTTP/2 a WebSocket opens with an extended CONNECT (RFC 8441)"}
	}
	// "The :protocol pseudo-header field MUST be included in the CONNECT
	// request, and it MUST have a value of `websocket` to initiate a
	// WebSocket connection on an HTTP/2 stream." (§5) net/http passes it to
	// the handler as the header ":protocol".
	if v := r.Header.Values(":protocol"); len(v) != 1 || v[0] != "websocket" {
		return &Error{Status: http.StatusBadRequest, Reason: `the CONNECT request needs ":protocol: websocket"`}
	}
	// "[RFC6455] requires the use of Connection and Upgrade header fields
	// that are not part of HTTP/2. They MUST NOT be included in the CONNECT
	// request defined here." (§5)
	if len(r.Header.Values("Connection")) > 0 || len(r.Header.Values("Upgrade")) > 0 {
		return &Error{Status: http.StatusBadRequest, Reason: "Connection and Upgrade are not allowed in an extended CONNECT"}
	}
	// "The Host information is conveyed as part of the :authority
	// pseudo-header field, which is required on every HTTP/2 transaction."
	// (§5)
	if r.Host == "" {
		return &Error{Status: http.StatusBadRequest, Reason: "missing :authority"}
	}
	// "The Origin [RFC6454], Sec-WebSocket-Version, Sec-WebSocket-Protocol,
	// and Sec-WebSocket-Extensions header fields are used in the CONNECT
	// request and response-header fields as defined in [RFC6455]." (§5)
	// Sec-WebSocket-Key is not: "Implementations using this extended
	// CONNECT to bootstrap WebSockets do not do the processing of the
	// Sec-WebSocket-Key and Sec-WebSocket-Accept header fields" (§5).
	if err := checkVersion(r); err != nil {
		return err
	}
	return checkLists(r)
}

// checkVersion checks Sec-WebSocket-Version, over HTTP/1.1 and HTTP/2.
func checkVersion(r *http.Request) error {
	// "If this version does not match a version understood by the server,
	// the server MUST abort the WebSocket handshake described in this
	// section and instead send an appropriate HTTP error code (such as 426
	// Upgrade Required) and a |Sec-WebSocket-Version| header field
	// indicating the version(s) the server is capable of understanding."
	// (RFC 6455 §4.4)
	if v := r.Header.Values("Sec-WebSocket-Version"); len(v) != 1 || trimOWS(v[0]) != "13" {
		return &Error{Status: http.StatusUpgradeRequired, Reason: "unsupported or missing Sec-WebSocket-Version, want 13"}
	}
	return nil
}

// checkLists checks the syntax of Sec-WebSocket-Protocol (RFC 6455 §11.3.4)
// and Sec-WebSocket-Extensions (§9.1), over HTTP/1.1 and HTTP/2.
func checkLists(r *http.Request) error {
	if v := r.Header.Values("Sec-WebSocket-Protocol"); len(v) > 0 {
		if _, err := parseTokenList(v); err != nil {
			return &Error{Status: http.StatusBadRequest, Reason: "malformed Sec-WebSocket-Protocol"}
		}
	}
	if v := r.Header.Values("Sec-WebSocket-Extensions"); len(v) > 0 {
		if _, err := parseExtensions(v); err != nil {
			return &Error{Status: http.StatusBadRequest, Reason: "malformed Sec-WebSocket-Extensions"}
		}
	}
	return nil
}

// checkStreamResponse checks the answer to an extended CONNECT (RFC 8441
// §5) made with the offers of opts. It returns the agreement, or an *Error
// with the response's status.
func checkStreamResponse(resp *http.Response, opts *ClientOptions) (*Deflate, []Extension, string, error) {
	fail := func(reason string) error { return &Error{Status: resp.StatusCode, Reason: reason} }
	// "Any 2xx status code indicates the connection is established" only
	// where the server agreed: anything else is the HTTP answer of a server
	// that did not (RFC 9113 §8.5).
	if resp.StatusCode/100 != 2 {
		return nil, nil, "", fail("the server did not accept the WebSocket (extended CONNECT)")
	}
	if resp.ProtoMajor != 2 {
		return nil, nil, "", fail("the response did not come over HTTP/2")
	}
	d, exts, err := checkAnswer(resp, opts)
	if err != nil {
		return nil, nil, "", err
	}
	sub, err := chosenSubprotocol(resp, opts)
	return d, exts, sub, err
}

// errNotAdvertised is how net/http's transport says that the server did not
// send SETTINGS_ENABLE_CONNECT_PROTOCOL; it exports no value to match.
const errNotAdvertised = "extended connect not supported by peer"

// ErrNoExtendedConnect is the error Dial wraps when the server's HTTP/2
// connection does not allow WebSockets: it did not advertise
// SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3: "Upon receipt of
// SETTINGS_ENABLE_CONNECT_PROTOCOL with a value of 1, a client MAY use the
// Extended CONNECT"). A Go server sends it only when it runs with
// GODEBUG=http2xconnect=1. Dial over HTTP/1.1 instead.
var ErrNoExtendedConnect = errors.New("handshake: the server does not accept WebSockets over HTTP/2 (no SETTINGS_ENABLE_CONNECT_PROTOCOL)")

// notAdvertised reports whether err is the transport's refusal to send an
// extended CONNECT.
func notAdvertised(err error) bool {
	return err != nil && strings.Contains(err.Error(), errNotAdvertised)
}
