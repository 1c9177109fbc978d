package conn

import (
	"context"
	"net/http"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// Dial opens a WebSocket connection to url (ws:// or wss://, RFC 6455 §4.1)
// and returns the client side of it, with the server's handshake response
// (its body already closed). ctx bounds the whole opening handshake: dialing,
// a proxy's CONNECT, TLS and the upgrade; it does not bound the connection
// afterwards. When the server refused the handshake, the error is a
// *handshake.Error with its status, and the response is returned too.
//
// A URL with user info ("ws://user:password@host/") is refused: RFC 6455's
// WebSocket URLs have none (§3), and over ws:// a password would travel in
// clear text. Send credentials in DialOptions.Header (Authorization).
func Dial(ctx context.Context, url string, opts *DialOptions) (*Conn, *http.Response, error) {
	if ctx == nil {
		return nil, nil, errNilContext
	}
	var o DialOptions
	if opts != nil {
		o = *opts
	}
	if err := o.Ping.Validate(); err != nil {
		return nil, nil, err
	}
	res, resp, err := handshake.Dial(ctx, url, &handshake.ClientOptions{
		Header:         o.Header,
		Subprotocols:   o.Subprotocols,
		TLSConfig:      o.TLSConfig,
		NetDialContext: o.NetDialContext,
		Proxy:          o.Proxy,
		Deflate:        o.Compression.deflateOptions(),
		HTTP2:          o.HTTP2,
	})
	if err != nil {
		return nil, resp, err
	}
	c := New(transport(res), res.Buffered, frame.Client, &Options{
		ReadLimit:    o.ReadLimit,
		StreamLimit:  o.StreamLimit,
		QueueSize:    o.QueueSize,
		CloseTimeout: o.CloseTimeout,
		Ping:         o.Ping,
		Deflate:      res.Deflate,
		Compression:  o.Compression,
	})
	c.subprotocol = res.Subprotocol
	return c, resp, nil
}
