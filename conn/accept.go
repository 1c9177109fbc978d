package conn

import (
	"net"
	"net/http"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// Accept completes the opening handshake of a WebSocket request (RFC 6455
// §4.2) and returns the server side of the connection. On an error Accept
// has already answered the request (with a 4xx status when the request is
// not an acceptable WebSocket handshake, 403 for a refused Origin, 500 for
// invalid options or for a header set on w that cannot be sent: a name that
// is not a token, a value with a control character other than HTAB). By
// default only requests whose Origin is the request's
// own host, or that carry no Origin, are accepted; see AcceptOptions.
//
// Over HTTP/1.1 the handler may return once it has handed the connection to
// other goroutines; net/http no longer owns it.
//
// Over HTTP/2, Accept takes an extended CONNECT (RFC 8441; net/http accepts
// it only when the process runs with GODEBUG=http2xconnect=1) and the
// connection runs on the request's stream, with the same semantics. The
// stream ends when the handler returns: the handler must not return before
// the connection has ended (a deferred CloseNow, which returns once it
// has, is enough), and a ServeMux pattern with a method ("GET /chat") does
// not match the request, whose method is CONNECT.
func Accept(w http.ResponseWriter, r *http.Request, opts *AcceptOptions) (*Conn, error) {
	if opts == nil {
		opts = &noAcceptOptions
	}
	if err := opts.Ping.Validate(); err != nil {
		http.Error(w, "websocket: invalid server options", http.StatusInternalServerError)
		return nil, err
	}
	res, err := handshake.Accept(w, r, opts.serverOptions())
	if err != nil {
		return nil, err
	}
	c := New(transport(res), res.Buffered, frame.Server, opts.connOptions(res.Deflate))
	c.subprotocol = res.Subprotocol
	return c, nil
}

// noAcceptOptions are the defaults, for a nil *AcceptOptions; never written.
var noAcceptOptions AcceptOptions

// serverOptions and connOptions translate o for the handshake and for New.
// They return pointers and Accept keeps no options of its own: its frame
// sits under the handshake's socket write, and a goroutine whose stack once
// grew past 4 KiB keeps 8 KiB while it serves the WebSocket.
//
//go:noinline
func (o *AcceptOptions) serverOptions() *handshake.ServerOptions {
	return &handshake.ServerOptions{
		Subprotocols:            o.Subprotocols,
		OriginPatterns:          o.OriginPatterns,
		InsecureSkipOriginCheck: o.InsecureSkipOriginCheck,
		Deflate:                 o.Compression.deflateOptions(),
	}
}

//go:noinline
func (o *AcceptOptions) connOptions(d *handshake.Deflate) *Options {
	return &Options{
		ReadLimit:    o.ReadLimit,
		StreamLimit:  o.StreamLimit,
		QueueSize:    o.QueueSize,
		CloseTimeout: o.CloseTimeout,
		Ping:         o.Ping,
		Deflate:      d,
		Compression:  o.Compression,
	}
}

// transport is what the connection of a handshake runs on: its net.Conn, or
// its HTTP/2 stream presented as one.
func transport(res *handshake.Result) net.Conn {
	if res.Stream != nil {
		return newStreamConn(res.Stream)
	}
	return res.Conn
}
