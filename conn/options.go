package conn

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/seed865a0254/websocket/handshake"
	"github.com/seed865a0254/websocket/ping"
)

// Defaults for the zero values of the option fields.
const (
	// DefaultReadLimit is the largest message Receive returns unless
	// ReadLimit says otherwise: 1 MiB.
	DefaultReadLimit = 1 << 20
	// DefaultQueueSize is how many received messages wait for Receive
	// unless QueueSize says otherwise.
	DefaultQueueSize = 16
	// DefaultCloseTimeout bounds the closing handshake unless CloseTimeout
	// says otherwise.
	DefaultCloseTimeout = 5 * time.Second
)

// Options configures a connection made by [New]. A nil *Options, and every
// zero field, means the default.
type Options struct {
	// ReadLimit is the largest message, in bytes, the peer may send. A
	// larger one fails the connection with StatusMessageTooBig (1009),
	// refused from its declared length before its payload is read. Zero
	// means DefaultReadLimit (1 MiB). A negative ReadLimit means no limit
	// but what a slice holds (math.MaxInt bytes: 2 GiB less one on 32-bit
	// platforms, where a longer message fails the connection with 1009),
	// which lets any peer make this process allocate without bound: use it
	// only with trusted peers.
	ReadLimit int64
	// StreamLimit is the largest message, in bytes, that [Conn.Reader] takes
	// as a stream: a streamed message is never held whole, so it may be
	// larger than ReadLimit. A larger one fails the connection with
	// StatusMessageTooBig, refused from its declared length. Zero means
	// ReadLimit; negative means no limit.
	StreamLimit int64
	// QueueSize is how many complete messages may wait for Receive; the
	// queued messages also hold at most ReadLimit bytes together (one
	// message larger than that is still admitted alone). While the queue is
	// full the connection stops reading the socket, so TCP slows the peer
	// down. Zero means DefaultQueueSize (16).
	QueueSize int
	// CloseTimeout bounds the closing handshake: how long Close waits for
	// the peer's close frame, and how long the closing steps that wait on
	// the peer may take. Zero means DefaultCloseTimeout (5 s).
	CloseTimeout time.Duration
	// Ping, if its Interval is set, starts a ping policy as StartPing does.
	// It is also what ends a peer that stops in the middle of a frame (a
	// pong cannot come there): such a frame holds at most 16 KiB or 8 times
	// the bytes it sent, until then.
	Ping ping.Policy
	// Deflate is the permessage-deflate agreement of the opening handshake
	// (RFC 7692), nil if none; Accept and Dial set it. With it, the
	// read limit counts inflated bytes.
	Deflate *handshake.Deflate
	// Compression tunes what Deflate allows (see [Compression]); nil means
	// the defaults.
	Compression *Compression
}

// AcceptOptions configures [Accept]. A nil *AcceptOptions, and every zero
// field, means the default.
type AcceptOptions struct {
	// Subprotocols lists the subprotocols the server speaks, in order of
	// preference; the first one the client offered is chosen.
	Subprotocols []string
	// OriginPatterns lists origins allowed besides the request's own host,
	// as patterns matched ASCII case-insensitively against the Origin's
	// host, or host:port, as the Origin writes it (an IPv6 address in its
	// brackets). '*' stands for any run of characters, every other
	// character for itself (there are no character classes):
	// "*.example.com", "localhost:*", "[::1]:*". By default only same-host
	// origins are accepted.
	OriginPatterns []string
	// InsecureSkipOriginCheck accepts any Origin. Any web page can then
	// open a connection with the user's cookies (cross-site WebSocket
	// hijacking); prefer OriginPatterns.
	InsecureSkipOriginCheck bool
	// Compression, if not nil, accepts permessage-deflate when the client
	// offers it (browsers do), with this policy.
	Compression *Compression

	// ReadLimit, StreamLimit, QueueSize, CloseTimeout and Ping are as in
	// [Options].
	ReadLimit    int64
	StreamLimit  int64
	QueueSize    int
	CloseTimeout time.Duration
	Ping         ping.Policy
}

// DialOptions configures [Dial]. A nil *DialOptions, and every zero field,
// means the default.
type DialOptions struct {
	// Header holds extra request headers, such as Origin, Cookie or
	// Authorization. A value with a control character other than HTAB
	// (RFC 9110 §5.5) is refused.
	Header http.Header
	// Subprotocols lists the subprotocols to offer, in order of preference.
	Subprotocols []string
	// TLSConfig configures wss:// connections; nil means the defaults.
	TLSConfig *tls.Config
	// NetDialContext dials the TCP connection; nil uses a net.Dialer.
	NetDialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Proxy picks an HTTP CONNECT proxy for a request; nil means
	// http.ProxyFromEnvironment.
	Proxy func(*http.Request) (*url.URL, error)
	// Compression, if not nil, offers permessage-deflate, with this policy.
	Compression *Compression
	// HTTP2, if not nil, opens the WebSocket as one more stream of an
	// HTTP/2 connection of this transport (RFC 8441), as a browser does on
	// a connection it already has: wss:// only, and TLSConfig,
	// NetDialContext and Proxy give way to the transport's own settings.
	// Give it a transport that speaks HTTP/2 only (Protocols), and share it
	// between Dial calls so that their WebSockets share its connections.
	// The server must allow WebSockets over HTTP/2 (a Go server with
	// GODEBUG=http2xconnect=1): otherwise Dial returns an error wrapping
	// handshake.ErrNoExtendedConnect.
	HTTP2 *http.Transport

	// ReadLimit, StreamLimit, QueueSize, CloseTimeout and Ping are as in
	// [Options].
	ReadLimit    int64
	StreamLimit  int64
	QueueSize    int
	CloseTimeout time.Duration
	Ping         ping.Policy
}

// config is Options with the defaults filled in.
type config struct {
	readLimit    int64 // < 0: none
	streamLimit  int64 // < 0: none
	queueSize    int
	closeTimeout time.Duration
	ping         ping.Policy
	deflate      *handshake.Deflate
	compression  *Compression
}

func resolve(o *Options) config {
	var c config
	if o != nil {
		c = config{o.ReadLimit, o.StreamLimit, o.QueueSize, o.CloseTimeout, o.Ping, o.Deflate, o.Compression}
	}
	if c.readLimit == 0 {
		c.readLimit = DefaultReadLimit
	} else if c.readLimit < 0 {
		c.readLimit = -1
	}
	if c.streamLimit == 0 {
		c.streamLimit = c.readLimit
	} else if c.streamLimit < 0 {
		c.streamLimit = -1
	}
	if c.queueSize <= 0 {
		c.queueSize = DefaultQueueSize
	}
	if c.closeTimeout <= 0 {
		c.closeTimeout = DefaultCloseTimeout
	}
	return c
}
