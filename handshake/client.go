package handshake

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"time"
)

const (
	// maxResponseHeader bounds the bytes read for a response header (the
	// server's, or a proxy's CONNECT answer).
	maxResponseHeader = 64 << 10
	// maxRefusalBody bounds the body kept from a refusing response.
	maxRefusalBody = 1 << 10
)

var errHeaderTooLarge = errors.New("handshake: response header too large")

// CheckResponse checks that resp completes the opening handshake of a request
// sent with key (RFC 6455 §4.1). It returns nil or an *Error with its status.
//
// It fails a response that selects any extension (Dial checks one against
// its permessage-deflate offer), more than one subprotocol or a malformed
// one; that the subprotocol was offered is for the caller to check.
func CheckResponse(resp *http.Response, key string) error {
	_, _, err := checkResponse(resp, key, nil)
	return err
}

// checkResponse is CheckResponse for a request that offered deflate (nil: none).
func checkResponse(resp *http.Response, key string, deflate *DeflateOptions) (*Deflate, []Extension, error) {
	fail := func(reason string) error { return &Error{Status: resp.StatusCode, Reason: reason} }
	// "If the status code received from the server is not 101, the client
	// handles the response per HTTP [RFC2616] procedures." (§4.1)
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return nil, nil, fail("the server did not switch protocols")
	}
	// "If the response lacks an |Upgrade| header field or the |Upgrade|
	// header field contains a value that is not an ASCII case-insensitive
	// match for the value "websocket", the client MUST _Fail the WebSocket
	// Connection_." (§4.1)
	if !onlyToken(resp.Header.Values("Upgrade"), "websocket") {
		return nil, nil, fail(`missing "Upgrade: websocket"`)
	}
	// "If the response lacks a |Connection| header field or the
	// |Connection| header field doesn't contain a token that is an ASCII
	// case-insensitive match for the value "Upgrade", the client MUST _Fail
	// the WebSocket Connection_." (§4.1)
	if !hasToken(resp.Header.Values("Connection"), "upgrade") {
		return nil, nil, fail(`missing "Connection: Upgrade"`)
	}
	// "If the response lacks a |Sec-WebSocket-Accept| header field or the
	// |Sec-WebSocket-Accept| contains a value other than the base64-encoded
	// SHA-1 of the concatenation of the |Sec-WebSocket-Key| (as a string, not
	// base64-decoded) with the string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
	// but ignoring any leading and trailing whitespace, the client MUST _Fail
	// the WebSocket Connection_." (§4.1)
	if v := resp.Header.Values("Sec-WebSocket-Accept"); len(v) != 1 || trimOWS(v[0]) != ComputeAccept(key) {
		return nil, nil, fail("wrong or missing Sec-WebSocket-Accept")
	}
	return checkAnswer(resp, &ClientOptions{Deflate: deflate})
}

// checkAnswer checks the server's choice of extensions and subprotocol
// against what a request made with opts offered, over HTTP/1.1 and HTTP/2.
// It returns the agreement, or an *Error with the response's status.
func checkAnswer(resp *http.Response, opts *ClientOptions) (*Deflate, []Extension, error) {
	fail := func(reason string) error { return &Error{Status: resp.StatusCode, Reason: reason} }
	d, exts, err := checkDeflateAnswer(resp.Header.Values("Sec-WebSocket-Extensions"), opts.Deflate)
	if err != nil {
		return nil, nil, fail(err.Error())
	}
	// §4.2.2: the server answers with "a single value representing the
	// subprotocol the server is ready to use", and "The
	// |Sec-WebSocket-Protocol| header field MUST NOT appear more than once
	// in an HTTP response." (§11.3.4) Two lines, even one of them empty,
	// would leave client and server each believing its own.
	if v := resp.Header.Values("Sec-WebSocket-Protocol"); len(v) > 1 {
		return nil, nil, fail("Sec-WebSocket-Protocol appears more than once")
	} else if len(v) == 1 {
		if p, err := parseTokenList(v); err != nil || len(p) != 1 {
			return nil, nil, fail("malformed Sec-WebSocket-Protocol")
		}
	}
	return d, exts, nil
}

// Dial opens a WebSocket connection to rawURL (ws://, wss://, or http://
// and https:// taken as the same) and performs the client side of the
// opening handshake (RFC 6455 §4.1). The ctx bounds the whole handshake:
// dial, proxy, TLS, request and response. Cancelling it after Dial has
// returned has no effect on the connection.
//
// A URL with user info ("ws://user:password@host/") is refused: RFC 6455's
// ws-URI has none (§3). Send credentials in a header (ClientOptions.Header).
//
// When the server answers but does not complete the handshake, Dial returns
// its *http.Response, whose Body holds at most the first 1 KiB of the body
// already read (the connection is closed), together with an *Error. The
// response is nil for all other errors.
func Dial(ctx context.Context, rawURL string, opts *ClientOptions) (*Result, *http.Response, error) {
	return dial(ctx, rawURL, opts, rand.Reader)
}

func dial(ctx context.Context, rawURL string, opts *ClientOptions, random io.Reader) (_ *Result, _ *http.Response, err error) {
	if opts == nil {
		opts = &ClientOptions{}
	}
	t, err := parseURL(rawURL)
	if err != nil {
		return nil, nil, err
	}
	if err := checkClientOptions(opts); err != nil {
		return nil, nil, err
	}
	if opts.HTTP2 != nil {
		return dialStream(ctx, t, opts)
	}
	key, err := NewKey(random)
	if err != nil {
		return nil, nil, err
	}
	proxyFunc := opts.Proxy
	if proxyFunc == nil {
		proxyFunc = http.ProxyFromEnvironment
	}
	proxyURL, err := proxyFunc(&http.Request{Method: http.MethodGet, URL: t.u, Host: t.u.Host, Header: opts.Header})
	if err != nil {
		return nil, nil, fmt.Errorf("handshake: choosing proxy: %w", err)
	}
	dialFunc := opts.NetDialContext
	if dialFunc == nil {
		dialFunc = (&net.Dialer{}).DialContext
	}

	addr := t.addr
	if proxyURL != nil {
		if addr, err = proxyAddr(proxyURL); err != nil {
			return nil, nil, err
		}
	}
	raw, err := dialFunc(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("handshake: dial %s: %w", addr, err)
	}
	// From here the ctx bounds every read and write: through the deadline,
	// and through closing the connection should it be cancelled.
	if d, ok := ctx.Deadline(); ok {
		raw.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer func() {
		if !stop() && err == nil {
			// ctx ended just as the handshake completed; the conn is closed.
			err = fmt.Errorf("handshake: %w", ctx.Err())
		}
		if err != nil {
			raw.Close()
			if cerr := ctxErr(ctx); cerr != nil && !errors.Is(err, cerr) {
				err = fmt.Errorf("%w (%w)", err, cerr)
			}
			return
		}
		raw.SetDeadline(time.Time{})
	}()

	var c net.Conn = raw
	if proxyURL != nil {
		if c, err = connectProxy(ctx, c, proxyURL, t.addr, opts.TLSConfig); err != nil {
			return nil, nil, err
		}
	}
	if t.secure {
		cfg := tlsConfig(opts.TLSConfig, t.hostname)
		tc := tls.Client(c, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, nil, fmt.Errorf("handshake: TLS: %w", err)
		}
		c = tc
	}

	if _, err := c.Write(appendRequest(nil, t, key, opts)); err != nil {
		return nil, nil, fmt.Errorf("handshake: writing request: %w", err)
	}
	resp, buffered, err := readResponse(c, http.MethodGet)
	if err != nil {
		return nil, nil, err
	}
	deflate, exts, err := checkResponse(resp, key, opts.Deflate)
	if err != nil {
		keepBody(resp)
		return nil, resp, err
	}
	sub, err := chosenSubprotocol(resp, opts)
	if err != nil {
		return nil, resp, err
	}
	resp.Body = http.NoBody
	return &Result{Conn: c, Buffered: buffered, Subprotocol: sub, Extensions: exts, Deflate: deflate}, resp, nil
}

// chosenSubprotocol returns the subprotocol resp chose, or an *Error if the
// request made with opts did not offer it.
func chosenSubprotocol(resp *http.Response, opts *ClientOptions) (string, error) {
	sub := trimOWS(resp.Header.Get("Sec-WebSocket-Protocol"))
	// "If the response includes a |Sec-WebSocket-Protocol| header field and
	// this header field indicates the use of a subprotocol that was not
	// present in the client's handshake (the server has indicated a
	// subprotocol not requested by the client), the client MUST _Fail the
	// WebSocket Connection_." (§4.1)
	if sub != "" && !slices.Contains(offered(opts), sub) {
		return "", &Error{Status: resp.StatusCode, Reason: fmt.Sprintf("the server selected subprotocol %q, which was not offered", sub)}
	}
	return sub, nil
}

// ctxErr is ctx.Err(), or DeadlineExceeded as soon as the deadline has
// passed: the connection's deadline, set from ctx's, may fire a moment
// before the context's own timer does.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

// headerValues returns the values of the field name in h, whatever the
// case of its keys (a caller may build an http.Header as a map literal).
func headerValues(h http.Header, name string) []string {
	if v, ok := h[name]; ok {
		return v
	}
	for k, v := range h {
		if equalFoldASCII(k, name) {
			return v
		}
	}
	return nil
}

// headerGet is the first of headerValues, or "".
func headerGet(h http.Header, name string) string {
	if v := headerValues(h, name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// offered returns the subprotocols the request offered: Subprotocols, or
// those of a Sec-WebSocket-Protocol header the caller set instead.
func offered(opts *ClientOptions) []string {
	if len(opts.Subprotocols) > 0 {
		return opts.Subprotocols
	}
	p, _ := parseTokenList(headerValues(opts.Header, "Sec-Websocket-Protocol"))
	return p
}

// tlsConfig clones cfg for a connection to hostname.
func tlsConfig(cfg *tls.Config, hostname string) *tls.Config {
	if cfg == nil {
		cfg = &tls.Config{}
	} else {
		cfg = cfg.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = hostname
	}
	// The handshake is HTTP/1.1; a server that picked h2 through ALPN would
	// not understand it. (RFC 8441 over HTTP/2 is not supported yet.)
	cfg.NextProtos = []string{"http/1.1"}
	return cfg
}

// readResponse reads one response header from c, reading at most
// maxResponseHeader bytes. It returns the bytes read past the header
// (for a response without a body), and a response whose body, if any,
// still reads from the buffer and c.
func readResponse(c io.Reader, method string) (*http.Response, []byte, error) {
	lr := &limitedReader{r: c, n: maxResponseHeader}
	br := bufio.NewReader(lr)
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		// If the stream ended or failed inside the header, say so,
		// whatever net/http made of the bytes it had ("malformed HTTP
		// response" for a status line cut short).
		switch {
		case lr.err == io.EOF:
			err = io.ErrUnexpectedEOF
		case lr.err != nil:
			err = lr.err
		}
		return nil, nil, fmt.Errorf("handshake: reading response: %w", err)
	}
	var buffered []byte
	if resp.StatusCode == http.StatusSwitchingProtocols || method == http.MethodConnect && resp.StatusCode/100 == 2 {
		// No body: what is buffered came after the response.
		if n := br.Buffered(); n > 0 {
			b, _ := br.Peek(n)
			buffered = slices.Clone(b)
		}
	}
	return resp, buffered, nil
}

// keepBody replaces the body of a refusing response by its first
// maxRefusalBody bytes, read now, before the connection is closed.
func keepBody(resp *http.Response) {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxRefusalBody))
	resp.Body = io.NopCloser(bytes.NewReader(b))
}

// limitedReader reads at most n bytes from r, then fails with
// errHeaderTooLarge (io.LimitReader would report a clean EOF).
type limitedReader struct {
	r   io.Reader
	n   int
	err error // the first error of r
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errHeaderTooLarge
	}
	if len(p) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= n
	if l.err == nil {
		l.err = err
	}
	return n, err
}
