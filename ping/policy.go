package ping

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MaxData is the largest Policy.Data: a ping is a control frame.
const MaxData = 125

// Policy says how a connection keeps itself alive and detects a dead peer.
//
// The zero Policy sends no pings.
type Policy struct {
	// Interval is the time between pings. Zero means no pings.
	Interval time.Duration
	// Data is the payload of every ping, at most MaxData (125) bytes. The pong echoes it.
	Data []byte
	// Timeout is how long a ping may stay unanswered before the peer is declared dead. Time
	// during which our own reader is paused does not count.
	//
	// Zero means Interval: a peer must answer each ping before the next is due, so a peer
	// that vanished is found between one and two intervals after its last sign of life
	// (Python's websockets has the same default, 20 s and 20 s). A negative Timeout turns
	// dead-peer detection off: the pings only keep idle paths (NATs, proxies) open. A
	// positive Timeout needs an Interval.
	Timeout time.Duration
}

// timeout is the Timeout in effect: Interval for zero, none (0) for a negative Timeout or
// no Interval.
func (p Policy) timeout() time.Duration {
	switch {
	case p.Interval <= 0 || p.Timeout < 0:
		return 0
	case p.Timeout == 0:
		return p.Interval
	}
	return p.Timeout
}

// ErrPolicy is wrapped by every error Validate returns.
var ErrPolicy = errors.New("ping: invalid policy")

// ErrTimeout is wrapped by the error Monitor.Run returns when the peer is dead, and is what
// Keeper.Tick returns.
var ErrTimeout = errors.New("ping: no pong within the timeout")

// Validate reports whether p can be used: no negative Interval, Data of at most 125 bytes,
// and no positive Timeout without an Interval (nothing would be sent to be answered). The
// error wraps ErrPolicy.
func (p Policy) Validate() error {
	switch {
	case p.Interval < 0:
		return fmt.Errorf("%w: negative interval %v", ErrPolicy, p.Interval)
	case len(p.Data) > MaxData:
		// RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less
		// and MUST NOT be fragmented."
		return fmt.Errorf("%w: data is %d bytes, a ping carries at most %d", ErrPolicy, len(p.Data), MaxData)
	case p.Timeout > 0 && p.Interval == 0:
		return fmt.Errorf("%w: timeout %v without an interval", ErrPolicy, p.Timeout)
	}
	return nil
}

// Pinger sends one ping. The connection implements it; Monitor.Run calls it.
type Pinger interface {
	// SendPing sends a ping frame carrying data, which it must not modify or keep. It returns
	// once the frame is written, or with an error if ctx is done first or the connection
	// failed.
	SendPing(ctx context.Context, data []byte) error
}
