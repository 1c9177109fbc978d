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
func (rd *reader) initRaw() {
	var sc syscall.Conn
	switch v := rd.nc.(type) {
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
	rd.raw = raw
	// RawConn.Read calls rawFn, and while it returns false waits until the
	// socket is readable and calls it again. rawFn tries a non-blocking read
	// into a pooled buffer and gives the buffer back when there is nothing
	// to read, so a connection holds a buffer only while bytes arrive.
	rd.rawFn = func(fd uintptr) bool {
		rd.hooks.c.sockEmpty.Store(false)
		if rd.big == nil {
			rd.big = rbufPool.Get().(*rbuf)
		}
		if !rd.sysRead(fd, rd.big.b) {
			return true
		}
		rd.releaseBig()
		rd.hooks.c.releaseSpare()
		if rd.atBoundary && rd.hooks.beforePark() {
			rd.yielded = true
			return true
		}
		return false
	}
	// moreFn reads into the free end of rd.buf; while the socket has
	// nothing, it waits if rd.moreWait says so.
	rd.moreFn = func(fd uintptr) bool {
		return !rd.sysRead(fd, rd.buf[rd.w:]) || !rd.moreWait
	}
}

// sysRead reads once from the socket fd into b, again after EINTR. It
// reports whether the socket had nothing to read (EAGAIN); otherwise the
// result is in rd.rawN or rd.rawErr.
func (rd *reader) sysRead(fd uintptr, b []byte) (empty bool) {
	for {
		n, err := syscall.Read(int(fd), b)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EAGAIN):
			return true
		case err != nil:
			rd.rawErr = os.NewSyscallError("read", err)
		case n == 0:
			rd.rawErr = io.EOF
		default:
			rd.rawN = n
		}
		return false
	}
}
