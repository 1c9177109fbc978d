package conn

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/seed865a0254/websocket/frame"
)

// Read buffers. An idle connection holds no read buffer: on TCP the owner of
// the reading waits for the socket to become readable without one, then reads
// into a pooled big buffer and gives it back once the socket has been
// drained. On other transports (net.Pipe, TLS), where that wait is not
// possible, it waits in a read into a small buffer, and uses the big buffer
// while bytes flow. On TCP the small buffer is never needed.
const (
	smallRead = 256
	bigRead   = 16 << 10
	// directRead is the free room in a message from which payload bytes are
	// read from the socket straight into the message, not through the buffer.
	directRead = 4 << 10
)

type rbuf struct{ b []byte }

var rbufPool = sync.Pool{New: func() any { return &rbuf{b: make([]byte, bigRead)} }}

// input is the read side of the socket and everything read from it that is
// not a message yet: the buffered bytes, the protocol state (frame.Parser)
// and the message being put together. It belongs to whoever holds the
// reading (reading.go); nobody else touches it.
type input struct {
	buf   []byte // small[:], big.b, the handshake's leftover bytes, or nil
	r, w  int    // unread bytes are buf[r:w]
	big   *rbuf
	small *[smallRead]byte
	lastN int32 // bytes the last read returned
	full  bool  // the last read filled the buffer: more is probably waiting
	// msgType is the type of the whole message being put together, 0 if
	// none is under way.
	msgType frame.Opcode
	// skip: the rest of an abandoned streamed message is being skipped.
	skip bool
	// deflated: the whole message being put together is compressed.
	deflated bool

	// On TCP, raw waits for the socket to be readable with no buffer held
	// (read_unix.go); rawFn is its callback, built once, which leaves what
	// it read in lastN (or end).
	raw   syscall.RawConn
	rawFn func(uintptr) bool

	// end is why the reading ended (a read error, the peer's close frame as a
	// *peerClose, a *frame.ProtocolError); once set, nothing more is read.
	end error
	// dl is the read deadline the owner last set, in Unix nanoseconds (0:
	// none); a poke may have changed the socket's since (see turn.read).
	dl int64

	p   frame.Parser
	msg message // the whole message being put together, if any
	// pong, if not nil, is the payload of a ping whose pong could not be
	// queued yet (the Receive call that read it gave up waiting for room):
	// the next owner queues it before reading on.
	pong []byte
	// stream is the MessageReader whose message is under way, if any.
	stream *MessageReader
	// armed is the Done channel of the context whose end pokes the socket
	// (registered by turn.arm; unarm cancels that). It stays registered
	// across calls: a server that passes the same context to every Receive
	// registers it once, not once per message.
	armed <-chan struct{}
	unarm func() bool
}

// buffered returns the unread bytes.
func (in *input) buffered() []byte { return in.buf[in.r:in.w] }

// alive tells the ping monitor, if any, that n > 0 bytes arrived. Bytes
// from the peer are as good a sign of life as a pong: the pong to our last
// ping may wait behind messages that our full queue holds up.
func (c *Conn) alive(n int) {
	if n > 0 {
		if k := c.keep.Load(); k != nil {
			k.mon.Pong()
		}
	}
}

// errTimeout reports whether err is a read deadline: the owner's own, or a
// poke (reading.go). Neither ends the reading.
func errTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// fill reads once from the socket, waiting for bytes, and appends them to
// the unread ones. A deadline comes back as it is and changes nothing; any
// other error ends the reading (in.end).
func (c *Conn) fill() error {
	in := &c.in
	if in.end != nil {
		return in.end
	}
	var n int
	var err error
	if in.r == in.w && in.raw != nil {
		n, err = in.waitRaw()
	} else {
		in.prepare()
		n, err = c.nc.Read(in.buf[in.w:])
		in.w += n
		in.full, in.lastN = in.w == len(in.buf), int32(n)
	}
	c.alive(n)
	if err != nil && !errTimeout(err) {
		in.end = err
	}
	return err
}

// waitRaw waits until the socket (TCP) is readable and reads what it has
// into the big buffer; nothing is buffered.
func (in *input) waitRaw() (int, error) {
	in.buf, in.r, in.w, in.lastN = nil, 0, 0, 0
	err := in.raw.Read(in.rawFn)
	n := int(in.lastN)
	if n > 0 {
		in.buf, in.w, in.full = in.big.b, n, n == len(in.big.b)
	}
	if err == nil {
		err = in.end
	}
	return n, err
}

// readDirect reads payload bytes from the socket straight into b; nothing is
// buffered. Errors are as for fill.
func (c *Conn) readDirect(b []byte) (int, error) {
	in := &c.in
	if in.end != nil {
		return 0, in.end
	}
	n, err := c.nc.Read(b)
	c.alive(n)
	if err != nil && !errTimeout(err) {
		in.end = err
	}
	return n, err
}

func (in *input) usingBig() bool {
	return in.big != nil && len(in.buf) > 0 && &in.buf[0] == &in.big.b[0]
}

// prepare picks the buffer for the next read and makes room in it: the big
// one on TCP or while bytes flow, else the small one.
func (in *input) prepare() {
	avail := in.w - in.r
	var target []byte
	if in.raw != nil || in.full || in.lastN > smallRead || avail >= smallRead || (avail > 0 && in.usingBig()) {
		if in.big == nil {
			in.big = rbufPool.Get().(*rbuf)
		}
		target = in.big.b
	} else {
		if in.small == nil {
			in.small = new([smallRead]byte)
		}
		target = in.small[:]
	}
	if len(in.buf) > 0 && &target[0] == &in.buf[0] && in.w < len(in.buf) {
		return // room after the unread bytes
	}
	copy(target, in.buf[in.r:in.w])
	in.buf, in.r, in.w = target, 0, avail
	if !in.usingBig() {
		in.releaseBig()
	}
}

func (in *input) releaseBig() {
	if in.big != nil {
		rbufPool.Put(in.big)
		in.big = nil
	}
}

// release gives the pooled buffers back, and the context registration;
// the reading is over.
func (in *input) release() {
	if in.unarm != nil {
		in.unarm()
		in.armed, in.unarm = nil, nil
	}
	in.buf, in.r, in.w = nil, 0, 0
	in.releaseBig()
	in.msg.drop()
}

// discard reads and drops everything until the read fails (EOF), deadline
// passes or stop is closed. A read deadline in the past that it did not set
// (a poke from a Receive call that came too late to read) does not cut it
// short: whoever closes stop sets one to be seen at once.
func (c *Conn) discard(deadline time.Time, stop <-chan struct{}) {
	var buf [smallRead]byte
	for {
		// Deadline first: whoever closes stop then pokes, after this.
		c.nc.SetReadDeadline(deadline)
		select {
		case <-stop:
			return
		default:
		}
		for {
			_, err := c.nc.Read(buf[:])
			if err == nil {
				continue
			}
			if !errTimeout(err) || !time.Now().Before(deadline) {
				return
			}
			break // a poke: look at stop, and set our deadline again
		}
	}
}

// peerClose is the peer's close frame, as the end of the reading.
type peerClose struct {
	code   frame.StatusCode
	reason string
}

func (*peerClose) Error() string { return "conn: close frame received" }
