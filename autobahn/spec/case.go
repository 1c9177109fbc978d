package spec

import (
	"fmt"
	"strings"
	"time"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// Case is one entry of the catalogue: what the peer sends, and what the
// endpoint under test must answer.
type Case struct {
	// ID is the testsuite's case number ("5.15"), or "conn.N" for a rule of
	// this module's design that the testsuite does not check.
	ID string
	// Description says what the peer does.
	Description string
	// Requirement is the sentence of RFC 6455 (or RFC 7692, for
	// permessage-deflate) the case checks, with its section.
	Requirement string
	// Steps are what the peer does, in order.
	Steps []Step
	// Want is what the endpoint must do in reply.
	Want Want
	// Settings are the endpoint options the case needs; the zero value means
	// the endpoint's defaults.
	Settings Settings
}

// Settings are options the endpoint under test must be configured with for a
// case. Zero fields mean the endpoint's defaults.
type Settings struct {
	ReadLimit    int64         // largest message accepted (inflated, when compressed)
	CloseTimeout time.Duration // how long the endpoint waits in a closing handshake
	// Deflate, if not nil, is the permessage-deflate agreement (RFC 7692
	// §7.1) both sides start with, as if the opening handshake had
	// negotiated it. The peer keeps to it: it compresses with its context
	// kept between messages wherever the agreement allows, within its
	// window, and judges the endpoint's compressed messages against it.
	Deflate *handshake.Deflate
	// Compression is how the endpoint compresses under Deflate; it must be
	// set with Deflate.
	Compression *Compression
}

// Compression is the endpoint's compression policy under an agreement.
type Compression struct {
	// Threshold is the smallest message the endpoint sends compressed: a
	// smaller one must arrive uncompressed, any other compressed. 0
	// compresses every message.
	Threshold int
	// ContextTakeover: the endpoint keeps its compressor's context between
	// messages where the agreement allows it (RFC 7692 §7.1.1).
	ContextTakeover bool
}

// StepKind tells what a [Step] does.
type StepKind int

// The kinds of step.
const (
	// Send writes Frames, back to back, at once or in chops.
	Send StepKind = iota + 1
	// SendHeader writes only the header of Frames[0]; its payload follows in
	// SendData steps (the testsuite's "chops of the same message frame").
	SendHeader
	// SendData writes Data as more payload of the frame begun by SendHeader,
	// masked where the peer masks.
	SendData
	// Pause waits for Wait without looking at what arrives.
	Pause
	// Quiet waits for Wait and requires that nothing arrives meanwhile: the
	// endpoint has had no reason yet to answer or to close.
	Quiet
	// Expect waits until Events have arrived, in order, before going on.
	Expect
	// AwaitClose requires the endpoint's close frame now, before the peer
	// sends anything more: the steps after it are never sent when the
	// endpoint behaves. This is how "fail fast" is checked.
	AwaitClose
	// SendCompressed compresses the payload of each of Frames, whole text
	// or binary messages, as one message under Settings.Deflate (RFC 7692
	// §7.2.1) and sends it with RSV1 on its first frame, cut into frames of
	// at most Fragment compressed bytes (0: one frame); all in one write.
	SendCompressed
)

// Step is one thing the peer does.
type Step struct {
	Kind     StepKind
	Frames   []Frame       // Send, SendHeader, SendCompressed
	Chop     int           // Send: write in pieces of Chop bytes; 0 writes all at once
	Sync     bool          // Send: write each frame on its own (the testsuite's "frame-wise chops")
	Fragment int           // SendCompressed: largest frame payload; 0 sends each message in one frame
	Data     []byte        // SendData
	Wait     time.Duration // Pause, Quiet
	Events   []Event       // Expect
}

// String describes the step for transcripts and failure reports.
func (s Step) String() string {
	switch s.Kind {
	case Send:
		var b strings.Builder
		b.WriteString("send ")
		for i, f := range s.Frames {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(f.String())
		}
		switch {
		case s.Chop > 0:
			fmt.Fprintf(&b, " in chops of %d bytes", s.Chop)
		case s.Sync:
			b.WriteString(" one frame per write")
		}
		return b.String()
	case SendHeader:
		return "send the header of " + s.Frames[0].String()
	case SendData:
		return fmt.Sprintf("send %d more payload bytes %s", len(s.Data), quote(s.Data))
	case Pause:
		return "pause " + s.Wait.String()
	case Quiet:
		return "expect nothing for " + s.Wait.String()
	case Expect:
		return "expect " + eventList(s.Events)
	case AwaitClose:
		return "expect the close frame now"
	case SendCompressed:
		var b strings.Builder
		b.WriteString("send compressed ")
		for i, f := range s.Frames {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s %d bytes %s", f.Opcode, len(f.Payload), quote(f.Payload))
		}
		if s.Fragment > 0 {
			fmt.Fprintf(&b, " in frames of %d bytes", s.Fragment)
		}
		return b.String()
	}
	return fmt.Sprintf("step(%d)", s.Kind)
}

// Frame is a frame the peer sends. It may be illegal on purpose.
type Frame struct {
	Opcode frame.Opcode
	Fin    bool
	// RSV holds the three reserved bits numbered as the testsuite does:
	// 4 is RSV1, 2 is RSV2, 1 is RSV3.
	RSV     uint8
	Payload []byte
	// Length, when not zero, is the payload length declared in the header
	// instead of len(Payload); used with SendHeader to announce a payload
	// that is never sent. A negative value sets the top bit of the 64-bit
	// length.
	Length int64
	// WrongMask inverts the masking rule of RFC 6455 §5.1: a client peer
	// sends the frame unmasked, a server peer masked.
	WrongMask bool
}

// declared returns the payload length the header announces.
func (f Frame) declared() int64 {
	if f.Length != 0 {
		return f.Length
	}
	return int64(len(f.Payload))
}

// String describes the frame, e.g. `text fin=0 rsv=2 9 bytes "fragment1"`.
func (f Frame) String() string {
	var b strings.Builder
	b.WriteString(f.Opcode.String())
	if !f.Fin {
		b.WriteString(" fin=0")
	}
	if f.RSV != 0 {
		fmt.Fprintf(&b, " rsv=%d", f.RSV)
	}
	if f.WrongMask {
		b.WriteString(" wrong-mask")
	}
	if f.Length != 0 {
		fmt.Fprintf(&b, " declaring %d bytes", f.Length)
	}
	if f.Opcode == frame.OpClose && len(f.Payload) >= 2 {
		code := frame.StatusCode(uint16(f.Payload[0])<<8 | uint16(f.Payload[1]))
		fmt.Fprintf(&b, " code %d", uint16(code))
		if len(f.Payload) > 2 {
			fmt.Fprintf(&b, " reason %s", quote(f.Payload[2:]))
		}
		return b.String()
	}
	fmt.Fprintf(&b, " %d bytes", len(f.Payload))
	if len(f.Payload) > 0 {
		b.WriteString(" " + quote(f.Payload))
	}
	return b.String()
}

// EventKind tells what the endpoint sent.
type EventKind int

// The kinds of event the peer observes.
const (
	// Message is a complete text or binary message (reassembled if the
	// endpoint fragmented it).
	Message EventKind = iota + 1
	// Pong is a pong frame.
	Pong
	// Ping is a ping frame (no case expects one: the endpoint runs no pings).
	Ping
	// Close is a close frame; Code is 1005 when its payload is empty.
	Close
	// End is the end of the TCP stream, or a read error.
	End
	// Violation is a frame that breaks RFC 6455 (a masked frame from a
	// server, invalid UTF-8 in a text message, ...).
	Violation
)

// Event is something the endpoint did, as the peer saw it.
type Event struct {
	Kind EventKind
	Type frame.Opcode     // Message: frame.OpText or frame.OpBinary
	Data []byte           // Message (inflated if compressed), Pong, Ping: the payload; Close: the reason
	Code frame.StatusCode // Close
	Err  error            // End, Violation
	// Compressed, for a Message: it came with RSV1 set on its first frame
	// (RFC 7692 §6), and Data is what it inflated to.
	Compressed bool
}

// equal reports whether e is the event want, payloads compared byte by byte.
func (e Event) equal(want Event) bool {
	if e.Kind != want.Kind {
		return false
	}
	switch e.Kind {
	case Message:
		return e.Type == want.Type && e.Compressed == want.Compressed && string(e.Data) == string(want.Data)
	case Pong, Ping:
		return string(e.Data) == string(want.Data)
	}
	return false
}

// String describes the event, e.g. `text message of 13 bytes "Hello, world!"`.
func (e Event) String() string {
	switch e.Kind {
	case Message:
		s := fmt.Sprintf("%s message of %d bytes %s", e.Type, len(e.Data), quote(e.Data))
		if e.Compressed {
			s = "compressed " + s
		}
		return s
	case Pong, Ping:
		name := "pong"
		if e.Kind == Ping {
			name = "ping"
		}
		if len(e.Data) == 0 {
			return name + " with empty payload"
		}
		return fmt.Sprintf("%s with payload %s", name, quote(e.Data))
	case Close:
		if e.Code == frame.StatusNoStatusRcvd {
			return "close frame with empty payload"
		}
		s := fmt.Sprintf("close frame with code %d", uint16(e.Code))
		if len(e.Data) > 0 {
			s += " reason " + quote(e.Data)
		}
		return s
	case End:
		return "TCP connection closed (" + e.Err.Error() + ")"
	case Violation:
		return "illegal frame: " + e.Err.Error()
	}
	return fmt.Sprintf("event(%d)", e.Kind)
}

// Side names an end of the connection.
type Side int

// The two sides.
const (
	Peer     Side = iota + 1 // the raw-frame peer of this package
	Endpoint                 // the implementation under test
)

// Want is the behaviour a case expects from the endpoint.
type Want struct {
	// Events are what the endpoint must send after the steps, in order and
	// nothing else, before its close frame. (Events checked by Expect steps
	// come before these.)
	Events []Event
	// Prefix accepts any prefix of Events: the endpoint may have stopped
	// echoing when the peer's close arrived (the testsuite's informational
	// case 7.1.6).
	Prefix bool
	// Closer is the side that starts the closing handshake. Peer: once the
	// events have arrived, the peer sends a close frame with code 1000
	// unless a step already sent one. Endpoint: the endpoint must fail the
	// connection on its own.
	Closer Side
	// Codes are the codes allowed in the endpoint's close frame; 1005 stands
	// for a close frame with an empty payload.
	Codes []frame.StatusCode
	// Linger: the peer neither answers the endpoint's close nor closes its
	// side. The endpoint must drop the TCP connection by itself within a
	// bounded time (checked by writing until a write fails).
	Linger bool
}

// codeAllowed reports whether the close event e carries one of w.Codes.
func (w Want) codeAllowed(e Event) bool {
	for _, c := range w.Codes {
		if c == e.Code {
			return true
		}
	}
	return false
}

// closeText describes the close frame w expects.
func (w Want) closeText() string {
	var codes []string
	for _, c := range w.Codes {
		if c == frame.StatusNoStatusRcvd {
			codes = append(codes, "empty payload")
		} else {
			codes = append(codes, fmt.Sprint(uint16(c)))
		}
	}
	return "close frame with " + strings.Join(codes, " or ")
}

func eventList(es []Event) string {
	if len(es) == 0 {
		return "nothing"
	}
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.String()
	}
	return strings.Join(s, ", then ")
}

// quote shows a payload for humans: quoted, cut after 32 bytes.
func quote(b []byte) string {
	const max = 32
	if len(b) <= max {
		return fmt.Sprintf("%+q", b)
	}
	return fmt.Sprintf("%+q...", b[:max])
}
