package conn_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
)

// The net.Conn adapter is held to the properties golang.org/x/net/nettest's
// TestConn checks of any net.Conn (its test list, written again here so
// that the module needs no golang.org/x/net): basic I/O, ping-pong, racy
// reads and writes, read and write timeouts that do not affect the other
// direction, past, present and future deadlines, Close unblocking both
// directions, concurrent methods. Every pair runs over loopback TCP, made by
// Accept and Dial, with the adapter on either side.

// netPair returns NetConns of type Binary over both ends of a connection
// made by Accept and Dial: a over the side with role aRole.
func netPair(t *testing.T, aRole frame.Role, ao, bo *conn.Options) (a, b net.Conn, wa, wb *conn.Conn) {
	t.Helper()
	wa, wb = httpPair(t, aRole, ao, bo)
	return conn.NetConn(wa, conn.Binary), conn.NetConn(wb, conn.Binary), wa, wb
}

// forNetPairs runs f with the adapter under test (a) on the server, then on
// the client.
func forNetPairs(t *testing.T, f func(t *testing.T, a, b net.Conn)) {
	t.Helper()
	for _, r := range roles {
		t.Run("a="+roleName(r), func(t *testing.T) {
			a, b, _, _ := netPair(t, r, nil, nil)
			f(t, a, b)
		})
	}
}

// goEcho copies everything b reads back to b until b ends, in 1 KiB
// writes; the returned func waits for it.
func goEcho(b net.Conn) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		copyChunks(b, b)
	}()
	return func() { <-done }
}

// copyChunks copies r to w in writes of at most 1 KiB (each a message).
func copyChunks(w io.Writer, r io.Reader) error {
	buf := make([]byte, 1024)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// wantTimeout fails the test unless err is what a net.Conn returns past its
// deadline.
func wantTimeout(t *testing.T, what string, err error) {
	t.Helper()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("%s: got %T %v; want a net.Error with Timeout() matching os.ErrDeadlineExceeded", what, err, err)
	}
}

// roundTrip writes a line to a, whose peer echoes, and reads it back.
func roundTrip(t *testing.T, a net.Conn) {
	t.Helper()
	if err := a.SetDeadline(time.Time{}); err != nil {
		t.Fatalf("SetDeadline: %v", err)
	}
	const s = "still a working stream"
	if _, err := a.Write([]byte(s)); err != nil {
		t.Fatalf("round trip: Write: %v", err)
	}
	got := make([]byte, len(s))
	a.SetReadDeadline(time.Now().Add(soon))
	if _, err := io.ReadFull(a, got); err != nil || string(got) != s {
		t.Fatalf("round trip: read %q, %v; want %q", got, err, s)
	}
	a.SetReadDeadline(time.Time{})
}

// resync writes a marker byte that appears nowhere else (the tests write
// zeros and random bytes below 0xff are not used with it) and reads until
// the echo ends with it, dropping what earlier writes left in the stream.
func resync(t *testing.T, a net.Conn) {
	t.Helper()
	a.SetDeadline(time.Time{})
	if _, err := a.Write([]byte{0xff}); err != nil {
		t.Fatalf("resync: Write: %v", err)
	}
	a.SetReadDeadline(time.Now().Add(soon))
	buf := make([]byte, 4096)
	for {
		n, err := a.Read(buf)
		if n > 0 && buf[n-1] == 0xff {
			break
		}
		if err != nil {
			t.Fatalf("resync: Read: %v", err)
		}
	}
	a.SetReadDeadline(time.Time{})
}

func TestNetConnBasicIO(t *testing.T) {
	forNetPairs(t, func(t *testing.T, a, b net.Conn) {
		want := make([]byte, 1<<20)
		rand.NewChaCha8([32]byte{1}).Read(want)
		var wg sync.WaitGroup
		var writeErr, closeErr error
		wg.Go(func() {
			writeErr = copyChunks(a, bytes.NewReader(want))
			closeErr = a.Close()
		})
		var got bytes.Buffer
		readErr := copyChunks(&got, b) // to io.EOF, the peer's 1000
		wg.Wait()
		if writeErr != nil || readErr != nil || closeErr != nil {
			t.Fatalf("write %v, read %v, close %v; want all nil", writeErr, readErr, closeErr)
		}
		if err := b.Close(); err != nil {
			t.Errorf("Close after the peer's close: %v", err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("received %d bytes that differ from the %d sent", got.Len(), len(want))
		}
	})
}

func TestNetConnPingPong(t *testing.T) {
	forNetPairs(t, func(t *testing.T, a, b net.Conn) {
		const last = 400
		// Each side reads a counter, checks it grew by two since its last,
		// and writes it plus one, until last.
		player := func(c net.Conn, first uint64) (err error) {
			defer func() {
				if err != nil {
					c.Close() // so that the other side does not wait
				}
			}()
			buf := make([]byte, 8)
			want := first
			for {
				if _, err := io.ReadFull(c, buf); err != nil {
					if err == io.EOF {
						return nil // the other side reached the end
					}
					return err
				}
				v := binary.BigEndian.Uint64(buf)
				if v != want {
					return fmt.Errorf("counter %d, want %d", v, want)
				}
				want += 2
				if v >= last {
					return c.Close()
				}
				binary.BigEndian.PutUint64(buf, v+1)
				if _, err := c.Write(buf); err != nil {
					return err
				}
			}
		}
		var wg sync.WaitGroup
		var errA, errB error
		wg.Go(func() { errA = player(a, 0) })
		wg.Go(func() { errB = player(b, 1) })
		if _, err := b.Write(make([]byte, 8)); err != nil { // a's first counter: 0
			t.Fatal(err)
		}
		wg.Wait()
		if errA != nil || errB != nil {
			t.Fatalf("a: %v, b: %v", errA, errB)
		}
	})
}

// After a Read or Write returns, the adapter no longer touches its buffer,
// even when the return was a timeout (-race checks).
func TestNetConnRacyRead(t *testing.T) {
	forNetPairs(t, func(t *testing.T, a, b net.Conn) {
		stop := make(chan struct{})
		var feeder sync.WaitGroup
		feeder.Go(func() {
			chunk := make([]byte, 1024)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := b.Write(chunk); err != nil {
					return
				}
			}
		})
		defer feeder.Wait()
		defer b.SetWriteDeadline(time.Now().Add(-time.Second)) // a blocked Write returns
		defer close(stop)
		a.SetReadDeadline(time.Now().Add(time.Millisecond))
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				buf, other := make([]byte, 1024), make([]byte, 1024)
				for range 100 {
					_, err := a.Read(buf)
					copy(buf, other)
					if err != nil {
						wantTimeout(t, "Read", err)
						a.SetReadDeadline(time.Now().Add(time.Millisecond))
					}
				}
			})
		}
		wg.Wait()
	})
}

func TestNetConnRacyWrite(t *testing.T) {
	forNetPairs(t, func(t *testing.T, a, b net.Conn) {
		var drain sync.WaitGroup
		drain.Go(func() { io.Copy(io.Discard, b) })
		defer drain.Wait()
		defer a.Close()
		a.SetWriteDeadline(time.Now().Add(time.Millisecond))
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				buf, other := make([]byte, 1024), make([]byte, 1024)
				for range 100 {
					_, err := a.Write(buf)
					copy(buf, other)
					if err != nil {
						wantTimeout(t, "Write", err)
						a.SetWriteDeadline(time.Now().Add(time.Millisecond))
					}
				}
			})
		}
		wg.Wait()
	})
}

// A read timeout does not affect writing, nor a write timeout reading.
func TestNetConnTimeoutOneDirection(t *testing.T) {
	forNetPairs(t, func(t *testing.T, a, b net.Conn) {
		defer goEcho(b)()
		defer a.Close()
		a.SetReadDeadline(time.Now().Add(-time.Hour))
		_, err := a.Read(make([]byte, 64))
		wantTimeout(t, "Read past its deadline", err)
		if _, err := a.Write([]byte("write after a read timeout")); err != nil {
			t.Fatalf("Write after a read timeout: %v", err)
		}
		a.SetReadDeadline(time.Time{})
		a.SetWriteDeadline(time.Now().Add(-time.Hour))
		_, err = a.Write([]byte("late"))
		wantTimeout(t, "Write past its deadline", err)
		got := make([]byte, len("write after a read timeout"))
		if _, err := io.ReadFull(a, got); err != nil || string(got) != "write after a read timeout" {
			t.Fatalf("Read after a write timeout: %q, %v", got, err)
		}
	})
}

// A deadline in the past fails Read and Write at once, with nothing done,
// and the stream goes on once it is lifted.
func TestNetConnPastDeadline(t *testing.T) {
	forNetPairs(t, func(t *testing.T, a, b net.Conn) {
		defer goEcho(b)()
		defer a.Close()
		roundTrip(t, a)
		a.SetDeadline(time.Now().Add(-time.Second))
		n, err := a.Write(make([]byte, 1024))
		if n != 0 {
			t.Errorf("Write past its deadline wrote %d bytes", n)
		}
		wantTimeout(t, "Write", err)
		n, err = a.Read(make([]byte, 1024))
		if n != 0 {
			t.Errorf("Read past its deadline read %d bytes", n)
		}
		wantTimeout(t, "Read", err)
		roundTrip(t, a)
	})
}

// A deadline moved into the past while a Read and a Write wait (the peer
// neither sends nor reads) ends them, and not before.
func TestNetConnPresentDeadline(t *testing.T) {
	forNetPairs(t, func(t *testing.T, a, b net.Conn) {
		var set sync.Mutex // held until the deadline is set
		deadlineSet := false
		set.Lock()
		var wg sync.WaitGroup
		wg.Go(func() {
			n, err := a.Read(make([]byte, 1024))
			if n != 0 {
				t.Errorf("Read returned %d bytes", n)
			}
			wantTimeout(t, "Read", err)
			set.Lock()
			if !deadlineSet {
				t.Error("Read timed out before the deadline was set")
			}
			set.Unlock()
		})
		wg.Go(func() {
			var err error
			for err == nil {
				_, err = a.Write(make([]byte, 1024))
			}
			wantTimeout(t, "Write", err)
			set.Lock()
			if !deadlineSet {
				t.Error("Write timed out before the deadline was set")
			}
			set.Unlock()
		})
		time.Sleep(100 * time.Millisecond)
		deadlineSet = true
		a.SetReadDeadline(time.Now().Add(-time.Second))
		a.SetWriteDeadline(time.Now().Add(-time.Second))
		set.Unlock()
		wg.Wait()
	})
}

// A deadline in the future ends the Read and the Write waiting for it; the
// stream is usable afterwards.
func TestNetConnFutureDeadline(t *testing.T) {
	forNetPairs(t, func(t *testing.T, a, b net.Conn) {
		a.SetDeadline(time.Now().Add(100 * time.Millisecond))
		var wg sync.WaitGroup
		wg.Go(func() {
			_, err := a.Read(make([]byte, 1024))
			wantTimeout(t, "Read", err)
		})
		wg.Go(func() {
			var err error
			for err == nil {
				_, err = a.Write(make([]byte, 1024))
			}
			wantTimeout(t, "Write", err)
		})
		wg.Wait()
		defer goEcho(b)()
		defer a.Close()
		resync(t, a)
		roundTrip(t, a)
	})
}

// Close ends a Read and a Write that wait (with no deadline) at once, even
// while its closing handshake waits for a peer that reads nothing; later
// calls fail with net.ErrClosed.
func TestNetConnCloseUnblocks(t *testing.T) {
	for _, r := range roles {
		t.Run("a="+roleName(r), func(t *testing.T) {
			a, _, _, _ := netPair(t, r, &conn.Options{CloseTimeout: 300 * time.Millisecond}, nil)
			var wg sync.WaitGroup
			var readErr, writeErr error
			wg.Go(func() { _, readErr = a.Read(make([]byte, 1024)) })
			wg.Go(func() {
				for writeErr == nil {
					_, writeErr = a.Write(make([]byte, 1024)) // until the peer's buffers are full
				}
			})
			time.Sleep(100 * time.Millisecond)
			closed := make(chan error, 1)
			go func() { closed <- a.Close() }()
			within(t, soon, "Read and Write after Close", wg.Wait)
			if !errors.Is(readErr, net.ErrClosed) || !errors.Is(writeErr, net.ErrClosed) {
				t.Errorf("Read: %v, Write: %v; want both net.ErrClosed", readErr, writeErr)
			}
			if err := <-closed; !errors.Is(err, conn.ErrClosed) {
				t.Errorf("Close with no answer from the peer: %v, want an error wrapping ErrClosed", err)
			}
			_, err := a.Read(make([]byte, 1))
			_, err2 := a.Write([]byte{1})
			for _, e := range []error{err, err2, a.Close(), a.SetDeadline(time.Time{})} {
				if !errors.Is(e, net.ErrClosed) {
					t.Errorf("after Close: %v, want net.ErrClosed", e)
				}
			}
		})
	}
}

// Every method at once, many times (the race detector judges); the stream
// works afterwards.
func TestNetConnConcurrentMethods(t *testing.T) {
	forNetPairs(t, func(t *testing.T, a, b net.Conn) {
		defer goEcho(b)()
		defer a.Close()
		var wg sync.WaitGroup
		for range 100 {
			wg.Go(func() { a.Read(make([]byte, 1024)) })
			wg.Go(func() { a.Write(make([]byte, 1024)) })
			wg.Go(func() { a.SetDeadline(time.Now().Add(10 * time.Millisecond)) })
			wg.Go(func() { a.SetReadDeadline(time.Now().Add(-time.Second)) })
			wg.Go(func() { a.SetWriteDeadline(time.Now().Add(-time.Second)) })
			wg.Go(func() { a.LocalAddr() })
			wg.Go(func() { a.RemoteAddr() })
		}
		wg.Wait()
		resync(t, a)
		roundTrip(t, a)
	})
}

// A deadline moved while a Read waits applies to it: brought closer, it
// ends the Read; lifted, the Read waits for the bytes that come later.
func TestNetConnDeadlineMovedWhileBlocked(t *testing.T) {
	forNetPairs(t, func(t *testing.T, a, b net.Conn) {
		defer a.Close()
		a.SetReadDeadline(time.Now().Add(time.Hour))
		errc := make(chan error, 1)
		go func() { _, err := a.Read(make([]byte, 16)); errc <- err }()
		time.Sleep(50 * time.Millisecond)
		a.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		select {
		case err := <-errc:
			wantTimeout(t, "Read after the deadline was brought closer", err)
		case <-time.After(soon):
			t.Fatal("the Read did not end at its new deadline")
		}

		a.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		got := make(chan string, 1)
		go func() {
			buf := make([]byte, 16)
			n, err := a.Read(buf)
			if err != nil {
				got <- err.Error()
				return
			}
			got <- string(buf[:n])
		}()
		time.Sleep(10 * time.Millisecond)
		a.SetReadDeadline(time.Time{}) // lifted before it passes
		time.Sleep(100 * time.Millisecond)
		if _, err := b.Write([]byte("late")); err != nil {
			t.Fatal(err)
		}
		select {
		case s := <-got:
			if s != "late" {
				t.Errorf("Read = %q, want late", s)
			}
		case <-time.After(soon):
			t.Fatal("the Read did not return the bytes")
		}
	})
}

// A Read that times out in the middle of a message loses nothing: the rest
// comes with the next Read.
func TestNetConnTimeoutLosesNothing(t *testing.T) {
	for _, r := range roles {
		t.Run("a="+roleName(r), func(t *testing.T) {
			a, _, _, wb := netPair(t, r, nil, nil)
			ctx := testCtx(t, soon)
			w, err := wb.Writer(ctx, conn.Binary)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write([]byte("first half, ")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64)
			a.SetReadDeadline(time.Now().Add(soon))
			n, err := a.Read(buf)
			if err != nil || string(buf[:n]) != "first half, " {
				t.Fatalf("Read = %q, %v", buf[:n], err)
			}
			a.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
			_, err = a.Read(buf)
			wantTimeout(t, "Read in the middle of a message", err)
			if _, err := w.Write([]byte("second half")); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := wb.SendBinary(ctx, []byte("; next")); err != nil {
				t.Fatal(err)
			}
			a.SetReadDeadline(time.Now().Add(soon))
			rest := make([]byte, len("second half; next"))
			if _, err := io.ReadFull(a, rest); err != nil || string(rest) != "second half; next" {
				t.Fatalf("after the timeout: %q, %v", rest, err)
			}
		})
	}
}

// Each Write is one message, and Read hands out the bytes of messages in
// order, across as many Reads as the buffer needs.
func TestNetConnMessages(t *testing.T) {
	for _, typ := range []conn.MessageType{conn.Binary, conn.Text} {
		t.Run(typ.String(), func(t *testing.T) {
			wa, wb := httpPair(t, frame.Server, nil, nil)
			a := conn.NetConn(wa, typ)
			writes := []string{"one", "", "two, longer", string(bytes.Repeat([]byte("x"), 40<<10))}
			for _, s := range writes {
				if n, err := a.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write(%d bytes) = %d, %v", len(s), n, err)
				}
			}
			var got []string
			for range 3 { // the empty Write sent nothing
				m, err := wb.Receive(testCtx(t, soon))
				if err != nil {
					t.Fatal(err)
				}
				if m.Type != typ {
					t.Errorf("message type %v, want %v", m.Type, typ)
				}
				got = append(got, m.Text())
			}
			want := []string{writes[0], writes[2], writes[3]}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}

			b := conn.NetConn(wb, typ)
			for _, s := range want {
				if _, err := b.Write([]byte(s)); err != nil {
					t.Fatal(err)
				}
			}
			var all []byte
			buf := make([]byte, 1000) // several Reads per message
			a.SetReadDeadline(time.Now().Add(10 * soon))
			for len(all) < len(want[0]+want[1]+want[2]) {
				n, err := a.Read(buf)
				if err != nil {
					t.Fatalf("Read after %d bytes: %v", len(all), err)
				}
				all = append(all, buf[:n]...)
			}
			if string(all) != want[0]+want[1]+want[2] {
				t.Errorf("read %d bytes that differ from the %d written", len(all), len(want[0]+want[1]+want[2]))
			}
		})
	}
}

// The reading side streams: a message far over ReadLimit, within
// StreamLimit, is read whole through the adapter.
func TestNetConnStreamsLargeMessage(t *testing.T) {
	for _, r := range roles {
		t.Run("a="+roleName(r), func(t *testing.T) {
			wa, wb := httpPair(t, r, &conn.Options{ReadLimit: 16 << 10, StreamLimit: 8 << 20}, nil)
			a := conn.NetConn(wa, conn.Binary)
			big := make([]byte, 4<<20)
			rand.NewChaCha8([32]byte{2}).Read(big)
			errc := make(chan error, 1)
			go func() {
				// A Read waits when the message begins: one that began
				// while nobody read would be read whole, under ReadLimit.
				time.Sleep(50 * time.Millisecond)
				errc <- wb.SendBinary(context.Background(), big)
			}()
			got := make([]byte, len(big))
			a.SetReadDeadline(time.Now().Add(10 * soon))
			if _, err := io.ReadFull(a, got); err != nil {
				t.Fatalf("ReadFull: %v", err)
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, big) {
				t.Error("the 4 MiB message differs")
			}
		})
	}
}

// Read returns io.EOF after the peer's normal closure, every time; any other
// close is an error that says what the peer sent.
func TestNetConnEnd(t *testing.T) {
	tests := []struct {
		name    string
		code    conn.StatusCode
		wantEOF bool
	}{
		{"normal closure", conn.StatusNormalClosure, true},
		{"going away", conn.StatusGoingAway, false},
		{"policy violation", conn.StatusPolicyViolation, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wa, wb := httpPair(t, frame.Client, nil, nil)
			a := conn.NetConn(wa, conn.Binary)
			if err := wb.SendBinary(testCtx(t, soon), []byte("last words")); err != nil {
				t.Fatal(err)
			}
			closed := make(chan error, 1)
			go func() { closed <- wb.Close(tt.code, "bye") }()
			a.SetReadDeadline(time.Now().Add(soon))
			got, err := io.ReadAll(a) // io.ReadAll stops at io.EOF, returning nil
			if string(got) != "last words" {
				t.Errorf("read %q before the end, want the last words", got)
			}
			if tt.wantEOF && err != nil {
				t.Fatalf("io.ReadAll: %v, want it to end at io.EOF", err)
			}
			for i := range 3 { // ReadAll's error, then two more Reads
				if i > 0 {
					_, err = a.Read(make([]byte, 8))
				}
				switch {
				case tt.wantEOF && i > 0 && err != io.EOF:
					t.Errorf("Read %d after the end: %v, want io.EOF", i, err)
				case !tt.wantEOF:
					var ce *conn.CloseError
					if !errors.As(err, &ce) || ce.Code != tt.code || ce.Reason != "bye" || !errors.Is(err, conn.ErrClosed) {
						t.Errorf("Read %d at the end: %v, want the peer's close %v", i, err, tt.code)
					}
				}
			}
			if err := <-closed; err != nil {
				t.Errorf("the peer's Close: %v", err)
			}
			if err := a.Close(); err != nil {
				t.Errorf("Close after the peer's close: %v", err)
			}
		})
	}
}

// A message of the other type fails the connection with 1003.
func TestNetConnOtherType(t *testing.T) {
	for _, r := range roles {
		t.Run("a="+roleName(r), func(t *testing.T) {
			wa, wb := httpPair(t, r, nil, nil)
			a := conn.NetConn(wa, conn.Binary)
			if err := wb.SendText(testCtx(t, soon), "text"); err != nil {
				t.Fatal(err)
			}
			a.SetReadDeadline(time.Now().Add(soon))
			_, err := a.Read(make([]byte, 8))
			if !errors.Is(err, conn.ErrClosed) {
				t.Errorf("Read of a text message on a binary stream: %v, want ErrClosed", err)
			}
			var ce *conn.CloseError
			if err := receiveErr(t, wb); !errors.As(err, &ce) || ce.Code != conn.StatusUnsupportedData {
				t.Errorf("the peer got %v, want close 1003", err)
			}
		})
	}
}

// NetConn's caller mistakes are errors from every method, never panics.
func TestNetConnMistakes(t *testing.T) {
	ws, _ := httpPair(t, frame.Server, nil, nil)
	for _, tt := range []struct {
		name string
		nc   net.Conn
	}{
		{"nil Conn", conn.NetConn(nil, conn.Binary)},
		{"message type 0", conn.NetConn(ws, 0)},
		{"message type Close", conn.NetConn(ws, conn.MessageType(frame.OpClose))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, rerr := tt.nc.Read(make([]byte, 1))
			_, werr := tt.nc.Write([]byte{1})
			for _, err := range []error{rerr, werr, tt.nc.SetDeadline(time.Time{}), tt.nc.Close()} {
				if err == nil {
					t.Error("got nil, want an error")
				}
			}
		})
	}
}

// LocalAddr and RemoteAddr are the TCP connection's, on both sides, and
// the adapter's are the same.
func TestConnAddrs(t *testing.T) {
	server, client := httpPair(t, frame.Server, nil, nil)
	pairs := []struct{ name, got, want string }{
		{"server's remote = client's local", server.RemoteAddr().String(), client.LocalAddr().String()},
		{"client's remote = server's local", client.RemoteAddr().String(), server.LocalAddr().String()},
		{"NetConn's local", conn.NetConn(server, conn.Text).LocalAddr().String(), server.LocalAddr().String()},
		{"NetConn's remote", conn.NetConn(client, conn.Text).RemoteAddr().String(), client.RemoteAddr().String()},
	}
	for _, p := range pairs {
		if p.got != p.want || p.got == "" {
			t.Errorf("%s: %q, want %q", p.name, p.got, p.want)
		}
	}
	if _, ok := server.RemoteAddr().(*net.TCPAddr); !ok {
		t.Errorf("RemoteAddr is %T, want *net.TCPAddr", server.RemoteAddr())
	}
	ended := conn.New(nil, nil, frame.Server, nil)
	if ended.LocalAddr() != nil || ended.RemoteAddr() != nil {
		t.Error("a Conn over no net.Conn has addresses")
	}
}
