package conn

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/seed865a0254/websocket/handshake"
)

// streamConn presents an HTTP/2 stream (RFC 8441) as the net.Conn the
// connection runs on, so that the same Conn, with the same semantics, runs
// over it.
//
// Reads keep the net.Conn contract the reading depends on: a read deadline
// that passes, or is set in the past (a poke), ends the Read with
// os.ErrDeadlineExceeded and loses nothing. An HTTP/2 body read cannot be
// interrupted that way (net/http's read deadline breaks the stream for
// good), so a pump goroutine, started by the first Read, reads the stream
// and hands each chunk over; Read waits for a chunk, its deadline or Close,
// whichever comes first, and a chunk nobody took stays for the next Read.
// The pump reads again only once its chunk has been taken: while the
// connection reads nothing, HTTP/2 flow control holds the peer back.
//
// Writes go to the stream as they are, flushed, under the stream's write
// deadline, which resets the stream when it passes during a write: such a
// write cannot be resumed (see Conn.resumable), as over crypto/tls.
type streamConn struct {
	s *handshake.Stream

	mu      sync.Mutex
	data    []byte // read by the pump, not taken yet
	err     error  // the stream's read error, after data
	pumping bool
	closed  bool
	cut     bool          // a server's CloseWrite: reads end
	rdl     chan struct{} // closed once the read deadline has passed
	rtimer  *time.Timer   // closes rdl when the deadline passes
	rdlAt   time.Time     // the read deadline

	arrived  chan struct{} // one slot: data or err came
	taken    chan struct{} // one slot: data was taken
	done     chan struct{} // closed by Close
	pumpDone chan struct{} // closed when the pump has returned
}

func newStreamConn(s *handshake.Stream) *streamConn {
	return &streamConn{
		s:        s,
		rdl:      make(chan struct{}),
		arrived:  make(chan struct{}, 1),
		taken:    make(chan struct{}, 1),
		done:     make(chan struct{}),
		pumpDone: make(chan struct{}),
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Read returns what the pump has read, waiting for it until the read
// deadline.
func (c *streamConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	for {
		switch {
		case c.closed:
			c.mu.Unlock()
			return 0, net.ErrClosed
		case isClosed(c.rdl):
			c.mu.Unlock()
			return 0, os.ErrDeadlineExceeded
		case c.cut:
			c.mu.Unlock()
			return 0, io.EOF
		case len(c.data) > 0:
			n := copy(p, c.data)
			c.data = c.data[n:]
			if len(c.data) == 0 {
				signal(c.taken)
			}
			c.mu.Unlock()
			return n, nil
		case c.err != nil:
			err := c.err
			c.mu.Unlock()
			return 0, err
		}
		if !c.pumping {
			c.pumping = true
			go c.pump()
		}
		rdl := c.rdl
		c.mu.Unlock()
		select {
		case <-c.arrived:
		case <-rdl:
		case <-c.done:
		}
		c.mu.Lock()
	}
}

// pump reads the stream, one chunk at a time, for Read. While little
// arrives it reads into a small buffer, so that an idle connection holds
// smallRead bytes; a read that fills it moves it to a pooled big one.
func (c *streamConn) pump() {
	defer close(c.pumpDone)
	small := make([]byte, smallRead)
	var big *rbuf
	buf := small
	for {
		n, err := c.s.Read(buf)
		if n == 0 && err == nil {
			continue
		}
		c.mu.Lock()
		c.data, c.err = buf[:n], err
		c.mu.Unlock()
		signal(c.arrived)
		if err != nil {
			return // buf stays with data; a big one goes to the garbage collector
		}
		select {
		case <-c.taken:
		case <-c.done:
			// Read no longer looks at data once closed.
			if big != nil {
				rbufPool.Put(big)
			}
			return
		}
		switch {
		case n == len(buf) && big == nil:
			big = rbufPool.Get().(*rbuf)
			buf = big.b
		case n < smallRead && big != nil:
			rbufPool.Put(big)
			big, buf = nil, small
		}
	}
}

// SetReadDeadline sets the deadline for Read calls, under way or to come;
// it never harms the stream.
func (c *streamConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rdlAt = t
	if isClosed(c.rdl) {
		c.rdl = make(chan struct{})
	}
	switch d := time.Until(t); {
	case t.IsZero():
		if c.rtimer != nil {
			c.rtimer.Stop()
		}
	case d <= 0:
		close(c.rdl)
	case c.rtimer == nil:
		c.rtimer = time.AfterFunc(d, c.readExpired)
	default:
		c.rtimer.Reset(d)
	}
	return nil
}

// readExpired closes rdl if the read deadline has passed; a timer that
// fires late for an earlier deadline finds nothing to do.
func (c *streamConn) readExpired() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.rdlAt.IsZero() && !time.Now().Before(c.rdlAt) && !isClosed(c.rdl) {
		close(c.rdl)
	}
}

func (c *streamConn) Write(p []byte) (int, error) { return c.s.Write(p) }

func (c *streamConn) SetWriteDeadline(t time.Time) error { return c.s.SetWriteDeadline(t) }

func (c *streamConn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.s.SetWriteDeadline(t)
}

// CloseWrite half-closes the stream where it can (a client sends
// END_STREAM). A server's stream ends only when its handler returns, after
// Close; there the reading ends instead: the drain that follows a
// half-close (drainAndClose) guards TCP against a reset that unread bytes
// would cause, and an HTTP/2 stream has no such reset to fear.
func (c *streamConn) CloseWrite() error {
	err := c.s.CloseWrite()
	if errors.Is(err, errors.ErrUnsupported) {
		c.mu.Lock()
		c.cut = true
		c.mu.Unlock()
		signal(c.arrived)
		return nil
	}
	return err
}

// Close closes the stream and waits for the pump to return.
func (c *streamConn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	close(c.done)
	if c.rtimer != nil {
		c.rtimer.Stop()
	}
	pumping := c.pumping
	c.mu.Unlock()
	err := c.s.Close() // ends the pump's read
	if pumping {
		<-c.pumpDone
	}
	return err
}

func (c *streamConn) LocalAddr() net.Addr  { return addrOr(c.s.LocalAddr()) }
func (c *streamConn) RemoteAddr() net.Addr { return addrOr(c.s.RemoteAddr()) }

// addrOr returns a, or a nil *net.TCPAddr (whose String is "<nil>") when a
// is unknown: a net.Conn's addresses are never a nil interface.
func addrOr(a net.Addr) net.Addr {
	if a == nil {
		return (*net.TCPAddr)(nil)
	}
	return a
}
