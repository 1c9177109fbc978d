//go:build unix

package conn

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// initRaw sets up waiting for readability on TCP and Unix sockets. Only the
// socket types themselves: a wrapper (TLS) may hold bytes that the
// socket's readability does not show.
func (c *Conn) initRaw() {
	var sc syscall.Conn
	switch v := c.nc.(type) {
	case *net.TCPConn:
		sc = v
	case *net.UnixConn:
		sc = v
	default:
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	in := &c.in
	in.raw = raw
	// RawConn.Read calls rawFn, and while it returns false waits until the
	// socket is readable and calls it again. rawFn tries a non-blocking read
	// into a pooled buffer and gives the buffer back when there is nothing
	// to read, so a connection holds a buffer only while bytes arrive; the
	// spare output buffer goes too (see keepSpareLocked).
	in.rawFn = func(fd uintptr) bool {
		c.sockEmpty.Store(false)
		if in.big == nil {
			in.big = rbufPool.Get().(*rbuf)
		}
		if !in.sysRead(fd, in.big.b) {
			return true
		}
		in.releaseBig()
		c.releaseSpare()
		return false
	}
}

// sysRead reads once from the socket fd into b, again after EINTR. It
// reports whether the socket had nothing to read (EAGAIN); otherwise the
// result is in in.lastN or in.end.
func (in *input) sysRead(fd uintptr, b []byte) (empty bool) {
	for {
		n, err := syscall.Read(int(fd), b)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EAGAIN):
			return true
		case err != nil:
			in.end = os.NewSyscallError("read", err)
		case n == 0:
			in.end = io.EOF
		default:
			in.lastN = int32(n)
		}
		return false
	}
}
