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
	// Timeout, if positive, is how long a ping may stay unanswered before the peer is
	// declared dead. Time during which our own reader is paused does not count. Zero means
	// no dead-peer detection. A Timeout needs an Interval.
	Timeout time.Duration
}

// ErrPolicy is wrapped by every error Validate returns.
var ErrPolicy = errors.New("ping: invalid policy")

// ErrTimeout is wrapped by the error Monitor.Run returns when the peer is dead, and is what
// Keeper.Tick returns.
var ErrTimeout = errors.New("ping: no pong within the timeout")

// Validate reports whether p can be used: no negative durations, Data of at most 125 bytes,
// and no Timeout without an Interval (nothing would be sent to be answered). The error wraps
// ErrPolicy.
func (p Policy) Validate() error {
	switch {
	case p.Interval < 0:
		return fmt.Errorf("%w: negative interval %v", ErrPolicy, p.Interval)
	case p.Timeout < 0:
		return fmt.Errorf("%w: negative timeout %v", ErrPolicy, p.Timeout)
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
