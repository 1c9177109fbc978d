package conn

import (
	"crypto/tls"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/queue"
)

// MessageType is the type of a data message: Text or Binary.
type MessageType int32

// The two data message types, with the numeric values of their opcodes
// (RFC 6455 §5.2).
const (
	Text   MessageType = MessageType(frame.OpText)
	Binary MessageType = MessageType(frame.OpBinary)
)

// String returns "text", "binary", or the number of an invalid type.
func (t MessageType) String() string {
	switch t {
	case Text:
		return "text"
	case Binary:
		return "binary"
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

// Message is one whole data message. The caller owns Data; it may give it
// back with Release once done with it.
//
// A received Message also records, unexported, which buffer Receive handed
// out: compare messages by Type and Data.
type Message struct {
	Type MessageType
	// tag marks the pooled buffer Receive put in Data, the only one Release
	// gives back (bufTag); 0 for none. It fits beside Type, so a Message is
	// four words: the compiler keeps such a struct in registers, and a
	// fifth word, copied through memory at every step, cost 20 ns per
	// Receive.
	tag  uint32
	Data []byte
}

// Text returns Data as a string. (Its receiver is a value, so that
// ws.Receive's result can be read at once; Release's is a pointer, so that
// it can clear Data.)
func (m Message) Text() string { return string(m.Data) }

// Conn is a WebSocket connection. See the package documentation for its
// semantics and its concurrency contract.
type Conn struct {
	// Fields are grouped so that small ones share words: the struct is most
	// of what an idle connection holds (see TestConnSize).
	nc          net.Conn
	subprotocol string
	closeWait   time.Duration // CloseTimeout
	// The message size limits: for whole messages, and for streamed ones.
	readLimit, streamLimit int64
	role                   frame.Role
	ext                    frame.State // RSV bits claimed by negotiated extensions
	kernelBuf              bool        // nc buffers writes in the kernel (TCP, Unix, TLS over them)

	q *queue.Queue[Message]
	z *compression // permessage-deflate, if negotiated

	// The reading (reading.go): whoever holds it owns in.
	reading readingLock
	in      input
	ending  atomic.Bool                // the background reader reads until the end
	rdMore  atomic.Bool                // the last owner left unparsed bytes in the buffer
	idle    atomic.Pointer[time.Timer] // the idle timer, while armed

	// The writer; every field below mu is guarded by it.
	mu           sync.Mutex
	out          *wbuf // encoded frames waiting to be written, in order
	spare        *wbuf
	flushing     bool // a goroutine owns the socket's write side
	broken       bool // the write side is unusable: pending frames are dropped
	streaming    bool // a Writer holds the message slot
	closeSent    bool // our close frame is queued (it is the last frame)
	shut         bool // teardown finished with the write side
	localClose   bool // Close or CloseNow was called
	peerClosed   bool // the peer's close frame arrived
	closeTimeout bool // Close gave up waiting for the peer
	// Goroutines waiting to own the write side (large writes), and flusher
	// goroutines running: 32 bits each, side by side, keep Conn in its size
	// class (see TestConnSize).
	ownerWaiters, flushers int32
	wdl                    int64         // the socket's write deadline (see sendBytes); the write side's owner's
	done                   chan struct{} // made by Done; closed when everything has ended (closedCh if Done came later)
	groups                 *member       // the groups that hold the connection (group.go)
	wake                   chan struct{}
	sendErr                error // non-nil: no frame may be queued any more
	pings                  []*pingWaiter
	cause                  error                // why the connection ended (first cause wins), wrapped in ErrClosed
	receiverWait           chan struct{}        // closed when Receive reaches a protocol failure (see awaitReceiver)
	receiverFail           *frame.ProtocolError // the failure awaitReceiver holds back

	keep      atomic.Pointer[keeper] // the running ping policy, if any
	failing   atomic.Bool            // the connection is being failed: the reader drains
	sockEmpty atomic.Bool            // TCP: the reader found the socket empty and waits (see keepSpareLocked)
	flushFn   func()                 // c.flush as a func value, built once
	pingMu    sync.Mutex             // serialises StartPing
}

// New returns a connection over netConn, an already upgraded connection,
// and starts its reader. buffered holds bytes already read from netConn
// (they are read before it); New keeps it. role is our side: frame.Server
// or frame.Client (a client masks what it sends and refuses masked frames).
// A nil opts means the defaults.
//
// New cannot fail: with a nil netConn, an invalid role, or an invalid
// opts.Ping, the returned connection has already ended and its methods
// return an error wrapping [ErrClosed] and the cause.
func New(netConn net.Conn, buffered []byte, role frame.Role, opts *Options) *Conn {
	cfg := resolve(opts)
	c := &Conn{
		nc:        netConn,
		role:      role,
		closeWait: cfg.closeTimeout,
		readLimit: cfg.readLimit, streamLimit: cfg.streamLimit,
		q: queue.New[Message](cfg.queueSize, max(cfg.readLimit, 0)),
	}
	c.flushFn = c.flush
	var bad error
	switch {
	case netConn == nil:
		bad = errNilNetConn
	case role != frame.Client && role != frame.Server:
		bad = errInvalidRole
	default:
		bad = cfg.ping.Validate()
	}
	if bad != nil {
		c.endAtOnce(bad)
		return c
	}
	c.kernelBuf = kernelBuffered(netConn)
	c.in.buf, c.in.w = buffered, len(buffered)
	if cfg.deflate != nil {
		c.z = newCompression(cfg.deflate, role, cfg.compression)
		c.ext.RSV1 = true // RFC 7692 §6
	}
	c.in.p = frame.NewParser(role, c.ext, cfg.readLimit)
	c.initRaw()
	if cfg.ping.Interval > 0 {
		// Validated above, so this cannot fail.
		c.StartPing(cfg.ping)
	}
	// Nobody reads yet: the application's first Receive call, which
	// usually comes at once, takes the reading; if none comes within
	// idleGrace, the background reader does.
	c.armIdle()
	return c
}

// endAtOnce makes c a connection that ended before it started.
func (c *Conn) endAtOnce(cause error) {
	err := closedBy(cause)
	c.cause, c.sendErr, c.shut, c.done = err, err, true, closedCh
	c.reading.tryLock() // nobody ever reads
	c.q.Close(err)
	if c.nc != nil {
		c.nc.Close()
	}
}

// kernelBuffered reports whether writes to nc go into a kernel buffer, so
// that a small write almost never blocks (see Send).
func kernelBuffered(nc net.Conn) bool {
	for {
		switch v := nc.(type) {
		case *net.TCPConn, *net.UnixConn:
			return true
		case *tls.Conn:
			nc = v.NetConn()
		default:
			return false
		}
	}
}

// Done returns a channel that is closed when the connection has ended:
// the socket is closed and every goroutine the connection started has
// returned.
//
// The channel is made on the first call: an idle connection that nobody
// asks does not hold one.
func (c *Conn) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
	}
	return c.done
}

// closedCh is what Done returns once the connection has ended, if it was
// never called before: finalize puts it in c.done.
var closedCh = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// Subprotocol returns the subprotocol chosen in the opening handshake, or
// "" for none (always "" for a connection made by New).
func (c *Conn) Subprotocol() string { return c.subprotocol }

// LocalAddr returns the local network address of the connection's
// transport, or nil for a connection made by New with a nil net.Conn.
func (c *Conn) LocalAddr() net.Addr {
	if c.nc == nil {
		return nil
	}
	return c.nc.LocalAddr()
}

// RemoteAddr returns the remote network address of the connection's
// transport: for a server, the client's TCP address as the server sees it
// (behind a reverse proxy, the proxy's; the client's own may be in the
// request's headers, which Accept's caller has). It returns nil for a
// connection made by New with a nil net.Conn.
func (c *Conn) RemoteAddr() net.Addr {
	if c.nc == nil {
		return nil
	}
	return c.nc.RemoteAddr()
}
