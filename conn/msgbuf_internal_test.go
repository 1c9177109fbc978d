package conn

import (
	"bytes"
	"context"
	"testing"
	"unsafe"

	"github.com/seed865a0254/websocket/frame"
)

// The size classes: increasing, at most 25% apart, and classAtLeast and
// classAtMost pick the nearest one on their side, for every size in range.
func TestMessageBufferClasses(t *testing.T) {
	if classSize(0) != minPooled || classSize(numClasses-1) != maxPooled {
		t.Fatalf("classes span %d..%d, want %d..%d", classSize(0), classSize(numClasses-1), minPooled, maxPooled)
	}
	for k := 1; k < numClasses; k++ {
		lo, hi := classSize(k-1), classSize(k)
		if hi <= lo || (hi-lo)*4 > lo {
			t.Fatalf("class %d = %d after %d: not increasing by at most 25%%", k, hi, lo)
		}
	}
	step := 1
	if testing.Short() {
		step = 97
	}
	for n := minPooled; n <= maxPooled; n += step {
		k := classAtLeast(n)
		if classSize(k) < n || (k > 0 && classSize(k-1) >= n) {
			t.Fatalf("classAtLeast(%d) = class %d (%d bytes), not the smallest that holds it", n, k, classSize(k))
		}
		k = classAtMost(n)
		if classSize(k) > n || (k < numClasses-1 && classSize(k+1) <= n) {
			t.Fatalf("classAtMost(%d) = class %d (%d bytes), not the largest within it", n, k, classSize(k))
		}
	}
}

// Released messages' buffers hold later messages; the bytes past a message
// are zero, not what an earlier one left there. Small, foreign and empty
// buffers are ignored.
func TestReleaseReuses(t *testing.T) {
	const size = 3000 // class 3072
	f := maskedFrame(size)
	ws := New(newReplayConn(f, 1<<20), nil, frame.Server, nil)
	defer ws.CloseNow()
	ctx := context.Background()
	want := append([]byte(nil), f[len(f)-size:]...)
	frame.Mask([4]byte{0x12, 0x34, 0x56, 0x78}, 0, want) // maskedFrame's key

	released := map[*byte]bool{}
	reused := 0
	// The reader goroutine runs up to a queue ahead, and sync.Pool may drop
	// an item (under the race detector, 1 Put in 4): count over many.
	for range 200 {
		m, err := ws.Receive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Data, want) {
			t.Fatal("wrong bytes")
		}
		if cap(m.Data) != classSize(classAtLeast(size)) {
			t.Fatalf("cap(Data) = %d, want the class size %d", cap(m.Data), classSize(classAtLeast(size)))
		}
		for i, b := range m.Data[len(m.Data):cap(m.Data)] {
			if b != 0 {
				t.Fatalf("byte %d past the message is %#x, want 0", len(m.Data)+i, b)
			}
		}
		p := unsafe.SliceData(m.Data)
		if released[p] {
			reused++
		}
		full := m.Data[:cap(m.Data)]
		for i := range full {
			full[i] = 0xee // what a careless owner might leave behind
		}
		released[p] = true
		m.Release()
	}
	if reused < 50 {
		t.Fatalf("%d of 200 messages reused a released buffer, want most", reused)
	}

	// Releasing what Receive did not hand out, or too little or too much
	// to keep, does nothing harmful.
	(&Message{}).Release()
	(*Message)(nil).Release()
	(&Message{Type: Text, Data: []byte("small")}).Release()
	big := make([]byte, 2*maxPooled)
	(&Message{Data: big}).Release()
	for range 20 {
		if b := msgBuf(maxPooled); unsafe.SliceData(b) == unsafe.SliceData(big) {
			t.Fatal("a buffer above maxPooled was pooled")
		}
	}
}

// Messages smaller than the smallest class are pooled in it: 1 to 16 bytes
// get a 16-byte buffer, and a released one holds a later message.
func TestSmallMessagesPooled(t *testing.T) {
	for _, n := range []int{1, 5, 15, 16} {
		reused := 0
		for range 100 {
			m := handedOut(n)
			if len(m.Data) != n || cap(m.Data) != minPooled || m.tag == 0 {
				t.Fatalf("%d bytes: len %d, cap %d, tagged %v; want len %d in a tagged %d-byte buffer",
					n, len(m.Data), cap(m.Data), m.tag != 0, n, minPooled)
			}
			p := unsafe.SliceData(m.Data)
			m.Release()
			// sync.Pool may drop an item (under the race detector, 1 Put in
			// 4): count over many.
			if b := msgBuf(n); unsafe.SliceData(b) == p {
				reused++
			}
		}
		if reused < 50 {
			t.Fatalf("%d bytes: %d of 100 messages reused a released buffer, want most", n, reused)
		}
	}
	if m := handedOut(0); len(m.Data) != 0 || m.tag != 0 {
		t.Fatalf("an empty message: len %d, tagged %v; want no buffer", len(m.Data), m.tag != 0)
	}
}

// handedOut returns a message as Receive hands it out, in a pooled buffer.
func handedOut(n int) Message {
	m := message{data: msgBuf(n)}
	return m.take(frame.OpBinary)
}

// Releasing a message twice gives its buffer back once: two messages handed
// out later never share it (one would show the other's bytes, perhaps those
// of another connection).
func TestReleaseTwiceIsHarmless(t *testing.T) {
	const size = 3000
	for range 100 {
		m := handedOut(size)
		m.Release()
		m.Release()
		a, b := msgBuf(size), msgBuf(size)
		if unsafe.SliceData(a) == unsafe.SliceData(b) {
			t.Fatal("two buffers handed out together share their memory")
		}
		if m.Data != nil {
			t.Fatal("Data is still set after Release")
		}
	}
}

// Release pools only the buffer the library handed out: a buffer the
// application made itself, of a pooled size, never comes back as a received
// message's (it would fill the application's memory with peer data).
func TestReleaseIgnoresForeignBuffers(t *testing.T) {
	size := classSize(classAtLeast(3000)) // the capacity a pooled buffer has
	tests := []struct {
		name string
		msg  func() (Message, *byte)
	}{
		{name: "a Message the application built", msg: func() (Message, *byte) {
			b := make([]byte, size)
			return Message{Type: Binary, Data: b}, unsafe.SliceData(b)
		}},
		{name: "a received Message whose Data the application replaced", msg: func() (Message, *byte) {
			m, b := handedOut(3000), make([]byte, size)
			m.Data = b
			return m, unsafe.SliceData(b)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, foreign := tt.msg()
			m.Release()
			for range 20 {
				if b := msgBuf(3000); unsafe.SliceData(b) == foreign {
					t.Fatal("a buffer the application made was handed out for a message")
				}
			}
		})
	}
}
