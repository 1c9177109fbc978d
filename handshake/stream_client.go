package handshake

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
)

// dialStream is Dial over HTTP/2 (ClientOptions.HTTP2): an extended CONNECT
// on the transport's connection to the server (RFC 8441 §5).
func dialStream(ctx context.Context, t target, opts *ClientOptions) (_ *Result, _ *http.Response, err error) {
	// "The scheme of the target URI ... MUST be "https" for "wss"-schemed
	// WebSockets and "http" for "ws"-schemed WebSockets." (§5) net/http
	// speaks HTTP/2 over TLS only, so only wss:// can run over it here.
	if !t.secure {
		return nil, nil, errors.New("handshake: WebSockets over HTTP/2 need a wss:// URL")
	}
	// The request lives as long as the WebSocket: ctx bounds only the wait
	// for the response.
	reqCtx, cancel := context.WithCancel(context.Background())
	var local, remote net.Addr
	reqCtx = httptrace.WithClientTrace(reqCtx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			local, remote = info.Conn.LocalAddr(), info.Conn.RemoteAddr()
		},
	})
	pr, pw := io.Pipe()
	req, err := http.NewRequestWithContext(reqCtx, http.MethodConnect, t.u.String(), pr)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("handshake: HTTP/2 request: %w", err)
	}
	for name, values := range opts.Header {
		if equalFoldASCII(name, "Host") {
			req.Host = values[0]
			continue
		}
		req.Header[http.CanonicalHeaderKey(name)] = values
	}
	// "The :protocol pseudo-header field MUST be included in the CONNECT
	// request, and it MUST have a value of `websocket`" (§5); net/http's
	// transport sends the header ":protocol" as that pseudo-header.
	req.Header[":protocol"] = []string{"websocket"}
	req.Header.Set("Sec-WebSocket-Version", "13")
	if len(opts.Subprotocols) > 0 {
		req.Header.Set("Sec-WebSocket-Protocol", strings.Join(opts.Subprotocols, ", "))
	}
	if opts.Deflate != nil {
		req.Header.Set("Sec-WebSocket-Extensions", extensionsValue([]Extension{deflateOffer(opts.Deflate).extension()}))
	}
	abort := func() {
		pw.Close()
		cancel()
	}
	stop := context.AfterFunc(ctx, cancel)
	var resp *http.Response
	rt, err := h2RoundTripper(ctx, opts.HTTP2, t)
	if err == nil {
		resp, err = rt.RoundTrip(req)
	}
	if !stop() {
		// ctx ended first, and cancelled the request.
		if resp != nil {
			resp.Body.Close()
		}
		abort()
		return nil, nil, fmt.Errorf("handshake: HTTP/2: %w", ctx.Err())
	}
	if err != nil {
		abort()
		if notAdvertised(err) {
			return nil, nil, fmt.Errorf("%w (%w)", ErrNoExtendedConnect, err)
		}
		return nil, nil, fmt.Errorf("handshake: HTTP/2: %w", err)
	}
	deflate, exts, sub, err := checkStreamResponse(resp, opts)
	if err != nil {
		keepBody(resp)
		abort()
		return nil, resp, err
	}
	s := &Stream{body: resp.Body, pw: pw, cancel: cancel, local: local, remote: remote}
	r := *resp
	r.Body = http.NoBody
	return &Result{Stream: s, Subprotocol: sub, Extensions: exts, Deflate: deflate}, &r, nil
}

// extensionsValue returns the value of a Sec-WebSocket-Extensions field
// listing exts.
func extensionsValue(exts []Extension) string {
	v := string(appendExtensionsHeader(nil, exts))
	return strings.TrimSuffix(strings.TrimPrefix(v, "Sec-WebSocket-Extensions: "), "\r\n")
}

// h2RoundTripper returns net/http's HTTP/2 client for the transport tr,
// with a connection to t's server in its pool: a new one, or one it had. Its
// RoundTrip sends the header ":protocol" as the pseudo-header, where
// http.Transport.RoundTrip refuses it as an invalid field name (Go 1.26).
// Transport.TLSNextProto["h2"] is that client's door: it takes a TLS
// connection that negotiated h2, adds it to the transport's pool unless the
// pool already has one to the same server that can take another stream (it
// closes it then), and returns the RoundTripper.
func h2RoundTripper(ctx context.Context, tr *http.Transport, t target) (http.RoundTripper, error) {
	tr.Clone() // sets TLSNextProto up, once per transport, as its first use would
	next := tr.TLSNextProto["h2"]
	if next == nil {
		return nil, errors.New("handshake: ClientOptions.HTTP2: the transport does not speak HTTP/2 (see http.Transport.Protocols)")
	}
	var nc net.Conn
	var err error
	switch {
	case tr.DialTLSContext != nil:
		nc, err = tr.DialTLSContext(ctx, "tcp", t.addr)
	case tr.DialContext != nil:
		nc, err = tr.DialContext(ctx, "tcp", t.addr)
	default:
		nc, err = (&net.Dialer{}).DialContext(ctx, "tcp", t.addr)
	}
	if err != nil {
		return nil, fmt.Errorf("handshake: dial %s: %w", t.addr, err)
	}
	tc, ok := nc.(*tls.Conn)
	if !ok {
		if tr.DialTLSContext != nil {
			nc.Close()
			return nil, errors.New("handshake: ClientOptions.HTTP2: DialTLSContext returned no *tls.Conn")
		}
		cfg := tr.TLSClientConfig.Clone()
		if cfg == nil {
			cfg = &tls.Config{}
		}
		if cfg.ServerName == "" {
			cfg.ServerName = t.hostname
		}
		// http/1.1 too, so that a server without HTTP/2 answers and is
		// named below, rather than failing the TLS handshake.
		cfg.NextProtos = []string{"h2", "http/1.1"}
		tc = tls.Client(nc, cfg)
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		tc.Close()
		return nil, fmt.Errorf("handshake: TLS: %w", err)
	}
	if p := tc.ConnectionState().NegotiatedProtocol; p != "h2" {
		tc.Close()
		return nil, fmt.Errorf("handshake: the server did not agree to HTTP/2 (ALPN %q): dial without ClientOptions.HTTP2", p)
	}
	return next(t.u.Host, tc), nil
}
