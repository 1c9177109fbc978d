package handshake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sync"
	"time"
)

// Stream is the HTTP/2 stream of a WebSocket opened with an extended CONNECT
// (RFC 8441): Accept and Dial return it in Result.Stream, in place of a
// net.Conn, when the handshake ran over HTTP/2. Read reads what the peer
// sends; Write sends, flushed at once. "The HTTP/2 stream closure is also
// analogous to the TCP connection closure of [RFC6455]. Orderly TCP-level
// closures are represented as END_STREAM ([RFC7540] Section 6.1) flags. RST
// exceptions are represented with the RST_STREAM ([RFC7540] Section 6.4)
// frame with the CANCEL ([RFC7540] Section 7) error code." (RFC 8441 §5)
//
// On the server the stream ends (END_STREAM) when the handler returns, and
// not before: the handler must not return while the stream is in use, and
// should return once it is done with it.
//
// Stream has no read deadline: a body read of net/http's HTTP/2 server that
// times out breaks the stream for good. A write deadline (SetWriteDeadline)
// that passes resets the stream, so a write it cuts short cannot be
// resumed. Package conn waits for reads with its own, non-destructive
// deadlines.
//
// # Concurrency
//
// One goroutine may Read while another Writes. Close, CloseWrite and
// SetWriteDeadline may be called from any goroutine, and Close makes a
// blocked Read return.
type Stream struct {
	body io.ReadCloser
	// The server's side: the handler's response.
	w  http.ResponseWriter
	rc *http.ResponseController
	// The client's side: the request body, and the end of the request.
	pw     *io.PipeWriter
	cancel context.CancelFunc

	local, remote net.Addr

	mu      sync.Mutex
	closed  bool
	writing bool        // a Write is under way
	reset   bool        // the write deadline reset the stream
	wdl     time.Time   // the write deadline
	timer   *time.Timer // fires expire at wdl while a Write is under way
}

// errStreamClosed is what a Write or SetWriteDeadline returns after Close.
var errStreamClosed = fmt.Errorf("handshake: HTTP/2 stream: %w", net.ErrClosed)

// Read reads what the peer sent on the stream.
func (s *Stream) Read(p []byte) (int, error) { return s.body.Read(p) }

// Write sends p on the stream and flushes it. A write cut short by the write
// deadline returns an error wrapping os.ErrDeadlineExceeded; the stream is
// reset then.
func (s *Stream) Write(p []byte) (int, error) {
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return 0, errStreamClosed
	case s.passedLocked():
		s.mu.Unlock()
		return 0, errStreamDeadline
	}
	s.writing = true
	s.armLocked()
	s.mu.Unlock()
	var n int
	var err error
	if s.w != nil {
		n, err = s.w.Write(p)
		if err == nil {
			err = s.rc.Flush()
		}
	} else {
		n, err = s.pw.Write(p)
	}
	s.mu.Lock()
	s.writing = false
	if s.timer != nil {
		s.timer.Stop()
	}
	if err != nil && s.reset {
		err = fmt.Errorf("%w (%w)", errStreamDeadline, err)
	}
	s.mu.Unlock()
	return n, err
}

// errStreamDeadline is what a write cut short by the write deadline returns.
var errStreamDeadline = fmt.Errorf("handshake: HTTP/2 stream: write: %w", os.ErrDeadlineExceeded)

// SetWriteDeadline bounds the Write calls under way and to come; the zero
// time means no bound. A deadline resets the stream only if it passes while
// a Write is under way: nothing more can be written then.
func (s *Stream) SetWriteDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errStreamClosed
	}
	s.wdl = t
	if s.writing {
		s.armLocked()
	}
	return nil
}

// passedLocked reports whether the write deadline has passed.
func (s *Stream) passedLocked() bool { return !s.wdl.IsZero() && !time.Now().Before(s.wdl) }

// armLocked makes the write deadline reset the stream when it passes during
// the Write under way. Both sides' own deadlines do not fit: net/http's
// server resets the stream when its write deadline passes even between
// writes, and a pipe has none.
func (s *Stream) armLocked() {
	if s.wdl.IsZero() {
		if s.timer != nil {
			s.timer.Stop()
		}
		return
	}
	d := time.Until(s.wdl)
	if s.timer == nil {
		s.timer = time.AfterFunc(d, s.expire)
	} else {
		s.timer.Reset(d)
	}
}

// expire resets the stream if a Write is under way past the deadline; a
// timer that fires late for an earlier deadline finds nothing to do.
func (s *Stream) expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.writing || s.closed || !s.passedLocked() {
		return
	}
	s.reset = true
	if s.w != nil {
		s.rc.SetWriteDeadline(time.Unix(1, 0)) // a past deadline resets the stream at once
	} else {
		s.pw.CloseWithError(os.ErrDeadlineExceeded)
	}
}

// CloseWrite ends what we send (END_STREAM) and leaves the reading open. Only
// a client can: on the server the handler's return ends the stream, and
// CloseWrite returns an error wrapping errors.ErrUnsupported.
func (s *Stream) CloseWrite() error {
	if s.pw == nil {
		return fmt.Errorf("handshake: HTTP/2 stream: the server's side ends when the handler returns: %w", errors.ErrUnsupported)
	}
	return s.pw.Close()
}

// Close ends the stream: Read and Write fail from then on. A client's Close
// resets a stream the server has not ended (RST_STREAM with CANCEL). On the
// server the handler's return ends the stream; Close stops the reading, and
// resets the stream only if a Write is blocked (the peer does not read).
func (s *Stream) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.writing && s.w != nil {
		// A write blocked by the peer's flow control ends only with
		// the stream.
		s.rc.SetWriteDeadline(time.Unix(1, 0))
	}
	s.mu.Unlock()
	if s.pw != nil {
		s.pw.Close()
	}
	err := s.body.Close()
	if s.cancel != nil {
		s.cancel()
	}
	return err
}

// LocalAddr returns the local address of the HTTP/2 connection, if known.
func (s *Stream) LocalAddr() net.Addr { return s.local }

// RemoteAddr returns the peer's address of the HTTP/2 connection, if known.
func (s *Stream) RemoteAddr() net.Addr { return s.remote }

// newServerStream returns the stream of an accepted extended CONNECT.
func newServerStream(w http.ResponseWriter, r *http.Request) *Stream {
	s := &Stream{body: r.Body, w: w, rc: http.NewResponseController(w)}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		s.local = a
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		s.remote = net.TCPAddrFromAddrPort(ap)
	}
	return s
}

// acceptStream is Accept for an extended CONNECT over HTTP/2 (RFC 8441 §5).
func acceptStream(w http.ResponseWriter, r *http.Request, opts *ServerOptions) (*Result, error) {
	for _, check := range []func() error{
		func() error { return checkExtendedConnect(r) },
		func() error { return checkOrigin(r, opts) },
	} {
		if err := check(); err != nil {
			var he *Error
			if errors.As(err, &he) {
				refuseStream(w, he.Status, he.Reason)
			}
			return nil, err
		}
	}
	sub := selectSubprotocol(r, opts.Subprotocols)
	deflate, exts := negotiateDeflate(r.Header.Values("Sec-WebSocket-Extensions"), opts.Deflate)
	h := w.Header()
	for name := range h {
		if handshakeHeaders[http.CanonicalHeaderKey(name)] {
			delete(h, name)
		}
	}
	// "The Origin [RFC6454], Sec-WebSocket-Version, Sec-WebSocket-Protocol,
	// and Sec-WebSocket-Extensions header fields are used in the CONNECT
	// request and response-header fields as defined in [RFC6455]." (§5)
	if sub != "" {
		h.Set("Sec-WebSocket-Protocol", sub)
	}
	if len(exts) > 0 {
		h.Set("Sec-WebSocket-Extensions", extensionsValue(exts))
	}
	// The server's ReadTimeout and WriteTimeout would end the stream: the
	// WebSocket lives on, as it does once hijacked over HTTP/1.1.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{})
	rc.SetWriteDeadline(time.Time{})
	// A 2xx answer to a CONNECT establishes the tunnel (RFC 9113 §8.5); 200,
	// as in RFC 8441's example (§5.1), flushed now: the peer waits for it
	// before it sends frames. Then "the peers should proceed with the
	// WebSocket Protocol [RFC6455] using the HTTP/2 stream from the CONNECT
	// transaction as if it were the TCP connection referred to in
	// [RFC6455]." (§5)
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return nil, fmt.Errorf("handshake: HTTP/2: sending the response: %w", err)
	}
	return &Result{Stream: newServerStream(w, r), Subprotocol: sub, Extensions: exts, Deflate: deflate}, nil
}

// refuseStream answers a refused handshake over HTTP/2: the status and a
// short plain-text body, which end the stream.
func refuseStream(w http.ResponseWriter, status int, reason string) {
	h := w.Header()
	for name := range h {
		if handshakeHeaders[http.CanonicalHeaderKey(name)] {
			delete(h, name)
		}
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	switch status {
	case http.StatusMethodNotAllowed:
		h.Set("Allow", http.MethodConnect)
	case http.StatusUpgradeRequired:
		// RFC 6455 §4.4: the versions the server understands.
		h.Set("Sec-WebSocket-Version", "13")
	}
	w.WriteHeader(status)
	io.WriteString(w, reason+"\n")
}
