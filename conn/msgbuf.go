package conn

import (
	"math/bits"
	"math/rand/v2"
	"sync"
	"unsafe"

	"github.com/seed865a0254/websocket/frame"
)

// Message buffers. A received message of up to maxPooled bytes gets a
// buffer whose capacity is a size class: a power of two or one of the three
// sizes evenly between two powers of two (so at most 25% above the message's
// length), and at least minPooled. Release puts a buffer back in the pool of
// its class, and the next message of that class reuses it: an application
// that releases its messages receives without allocating, and without the
// garbage collector cycles that a fresh 64 KiB per message costs (at 64 KiB
// ping-pong they were a third of the server's CPU). Small messages are
// pooled too: taking 16 B from a pool costs less than allocating it
// (BenchmarkReceiveFeed: 50 ns a message against 56).
//
// The pools hold the address of a buffer's first byte (an unsafe.Pointer
// fits in an interface without an allocation); the class says how many bytes
// lie behind it.
const (
	minPooledShift = 4  // 16 bytes
	maxPooledShift = 22 // 4 MiB
	minPooled      = 1 << minPooledShift
	maxPooled      = 1 << maxPooledShift
	numClasses     = (maxPooledShift-minPooledShift)*4 + 1
)

var msgPools [numClasses]sync.Pool

// classSize returns the size of class k.
func classSize(k int) int {
	shift := minPooledShift + k/4
	return (4 + k%4) << (shift - 2)
}

// classAtLeast returns the smallest class whose size is at least n, for
// 1 <= n <= maxPooled.
func classAtLeast(n int) int {
	shift := bits.Len(uint(n-1)) - 1 // 2^shift < n <= 2^(shift+1)
	if shift < minPooledShift {
		return 0
	}
	// Which quarter of (2^shift, 2^(shift+1)] n falls in.
	q := (n - 1 - 1<<shift) >> (shift - 2)
	return (shift-minPooledShift)*4 + q + 1
}

// classAtMost returns the largest class whose size is at most n, for
// minPooled <= n <= maxPooled.
func classAtMost(n int) int {
	shift := bits.Len(uint(n)) - 1 // 2^shift <= n < 2^(shift+1)
	q := (n - 1<<shift) >> (shift - 2)
	return (shift-minPooledShift)*4 + q
}

// msgBuf returns a buffer of length n for a received message.
func msgBuf(n int) []byte {
	if n == 0 || n > maxPooled {
		return make([]byte, n)
	}
	k := classAtLeast(n)
	size := classSize(k)
	if p, ok := msgPools[k].Get().(unsafe.Pointer); ok {
		b := unsafe.Slice((*byte)(p), size)
		// The bytes past the message held an earlier one, perhaps another
		// connection's: nobody may find them in cap(Data).
		clear(b[n:])
		return b[:n]
	}
	return make([]byte, n, size)
}

// Release gives m.Data back to the library, to hold a later message (on this
// connection or another) instead of a new allocation, and sets m.Data to
// nil. Calling it is optional: a message that is never released is garbage
// collected as usual.
//
// After Release, no slice of the old m.Data may be used, by any goroutine:
// its bytes will be overwritten by someone else's message. Release gives
// back only the buffer that Receive put in m, and only once: releasing m
// again does nothing, and so does releasing a Message the application
// built or whose Data it replaced (m carries a keyed 31-bit tag of the
// buffer's address). A copy of m shares its buffer: release one copy, and
// no other. A buffer too large to be worth keeping (over 4 MiB) is left to
// the garbage collector.
func (m *Message) Release() {
	if m == nil {
		return
	}
	if m.tag != 0 && m.tag == bufTag(m.Data) {
		releaseBuf(m.Data)
	}
	m.Data, m.tag = nil, 0
}

// bufTag returns the tag of b, a pooled buffer handed out in a Message: a
// hash of its address keyed with bufKey, never 0. A buffer the application
// made carries the tag of the one it replaced with a chance of 2^-31.
func bufTag(b []byte) uint32 {
	h := (uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) ^ bufKey) * 0x9e3779b97f4a7c15
	return uint32(h>>32) | 1
}

// bufKey keeps tags unpredictable from one process to the next.
var bufKey = rand.Uint64()

// releaseBuf puts b, a buffer from msgBuf, back in the pool of its class.
func releaseBuf(b []byte) {
	c := cap(b)
	if c < minPooled || c > maxPooled {
		return
	}
	msgPools[classAtMost(c)].Put(unsafe.Pointer(unsafe.SliceData(b)))
}

// How a whole message grows. A message's memory follows what its frames
// announce, but never runs far ahead of the bytes that have arrived, so a
// header that announces 2^63 bytes and sends few costs few: the buffer is at
// most aheadFactor times the bytes received (and at least minAhead).
//
// A message in one frame grows through sizes computed down from its announced
// length (length/8^k), so the earlier buffers add at most 1/7 to it. A
// message in fragments, whose total nobody announces, doubles: at most about
// twice its size in all.
const (
	aheadFactor = 8
	minAhead    = 16 << 10
)

// message is a whole message being put together from its frames.
type message struct{ data []byte }

// add appends the payload bytes of ev, a data event of the message.
func (m *message) add(ev *frame.Event) {
	n := len(ev.Payload)
	if n == 0 {
		return
	}
	if cap(m.data)-len(m.data) < n {
		m.grow(n, ev.More, ev.Last)
	}
	m.data = append(m.data, ev.Payload...)
}

// grow makes room for n more bytes of a frame that has more bytes still to
// come after them; last says the frame ends the message.
func (m *message) grow(n int, more int64, last bool) {
	have := len(m.data) + n
	want := int64(have) + more // where this frame ends
	if !last {
		want = max(want, 2*int64(cap(m.data)))
	}
	limit := int64(max(aheadFactor*have, minAhead))
	for want > limit {
		if !last {
			want = limit
			break
		}
		want /= aheadFactor
	}
	size := max(int(want), have)
	b := msgBuf(size)[:len(m.data)]
	copy(b, m.data)
	releaseBuf(m.data)
	m.data = b
}

// room returns the free memory after the message's bytes, where payload can
// be read straight from the socket.
func (m *message) room() []byte { return m.data[len(m.data):cap(m.data)] }

// added records n bytes read into room and checked by the parser.
func (m *message) added(n int) { m.data = m.data[:len(m.data)+n] }

// take returns the finished message, of type typ, and starts afresh.
func (m *message) take(typ frame.Opcode) Message {
	d := m.data
	if d == nil {
		d = []byte{}
	}
	m.data = nil
	return received(MessageType(typ), d)
}

// received returns the Message that hands d, a buffer from msgBuf, to the
// application.
func received(typ MessageType, d []byte) Message {
	msg := Message{Type: typ, Data: d}
	if c := cap(d); c >= minPooled && c <= maxPooled {
		msg.tag = bufTag(d) // from msgBuf: the sizes it pools
	}
	return msg
}

// drop forgets the message being put together.
func (m *message) drop() {
	releaseBuf(m.data)
	m.data = nil
}
