package conn

import (
	"errors"
	"fmt"
)

// ErrClosed reports that the connection has ended. Every error that means
// "this connection is finished" matches it with errors.Is: a local Close or
// CloseNow (ErrClosed itself), the peer's close frame ([*CloseError]), and
// every failure, which wraps its cause as well: io.ErrUnexpectedEOF when TCP
// ended without a close frame, the [*frame.ProtocolError] we sent when the
// peer broke the protocol, an error wrapping ping.ErrTimeout when the peer
// stopped answering pings, or the error of a write that failed.
var ErrClosed = errors.New("conn: connection closed")

// CloseError is the peer's close frame: Receive returns it after the
// messages that arrived before it. Code is StatusNoStatusRcvd (1005) when
// the frame carried no code.
type CloseError struct {
	Code   StatusCode
	Reason string
}

// Error returns "conn: peer closed the connection: " with the code and the
// reason.
func (e *CloseError) Error() string {
	s := "conn: peer closed the connection: " + e.Code.String()
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Is reports whether target is ErrClosed: a close frame ends the connection.
func (e *CloseError) Is(target error) bool { return target == ErrClosed }

// CloseStatus returns the status code of the peer's close frame when err is
// or wraps a [*CloseError], and true; for any other error, nil included, it
// returns 0 and false: the connection ended some other way (see [ErrClosed])
// or has not ended. A close frame that carried no code gives
// StatusNoStatusRcvd (1005) and true.
//
//	if code, ok := conn.CloseStatus(err); ok && code == conn.StatusGoingAway { ... }
func CloseStatus(err error) (StatusCode, bool) {
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce.Code, true
	}
	return 0, false
}

// Errors for the caller's mistakes and for endings with a local cause.
var (
	errNilContext    = errors.New("conn: nil context")
	errMessageType   = errors.New("conn: message type must be Text or Binary")
	errSendUTF8      = errors.New("conn: text message is not valid UTF-8")
	errPingData      = errors.New("conn: ping data longer than 125 bytes")
	errInvalidRole   = errors.New("conn: role must be frame.Client or frame.Server")
	errNilNetConn    = errors.New("conn: nil net.Conn")
	errWriterClosed  = errors.New("conn: message writer already closed")
	errCloseTimeout  = errors.New("conn: closing handshake timed out")
	errNoCloseReply  = errors.New("conn: connection ended before the peer's close frame")
	errWriteFailed   = errors.New("conn: write failed")
	errPeerAfterFail = errors.New("conn: connection failed")
)

// closedBy returns the error for a connection ended by cause: ErrClosed
// itself when cause is nil or already matches it, else both wrapped.
func closedBy(cause error) error {
	if cause == nil || errors.Is(cause, ErrClosed) {
		if cause == nil {
			return ErrClosed
		}
		return cause
	}
	return fmt.Errorf("%w: %w", ErrClosed, cause)
}
