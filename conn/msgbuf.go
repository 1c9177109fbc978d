package conn

import (
	"math/bits"
	"sync"
	"unsafe"
)

// Message buffers. A received message of at least minPooled bytes gets a
// buffer whose capacity is a size class: a power of two or one of the three
// sizes evenly between two powers of two (so at most 25% above the message's
// length). Release puts a buffer back in the pool of its class, and the next
// message of that class reuses it: an application that releases its messages
// receives without allocating, and without the garbage collector cycles that
// a fresh 64 KiB per message costs (at 64 KiB ping-pong they were a third of
// the server's CPU).
//
// The pools hold the address of a buffer's first byte (an unsafe.Pointer
// fits in an interface without an allocation); the class says how many bytes
// lie behind it.
const (
	minPooledShift = 9  // 512 bytes
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
// minPooled <= n <= maxPooled.
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
	if n < minPooled || n > maxPooled {
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
// connection or another) instead of a new allocation. Calling it is optional:
// a message that is never released is garbage collected as usual.
//
// After Release, neither m.Data nor any slice of it may be used, by any
// goroutine, and m must not be released again: its bytes will be
// overwritten by someone else's message. Release only messages returned by
// Receive. A buffer too small or too large to be worth keeping is left to
// the garbage collector.
func (m Message) Release() {
	c := cap(m.Data)
	if c < minPooled || c > maxPooled {
		return
	}
	msgPools[classAtMost(c)].Put(unsafe.Pointer(unsafe.SliceData(m.Data)))
}

// copyMsg returns a copy of b in a message buffer (never nil).
func copyMsg(b []byte) []byte {
	if len(b) < minPooled {
		// append to nil allocates without zeroing.
		if b := append([]byte(nil), b...); b != nil {
			return b
		}
		return []byte{}
	}
	m := msgBuf(len(b))
	copy(m, b)
	return m
}
