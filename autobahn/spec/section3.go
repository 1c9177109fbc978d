package spec

import "github.com/seed865a0254/websocket/frame"

// reservedBits is section 3 of the testsuite: frames with reserved bits set
// and no extension negotiated fail the connection; a message before the bad
// frame is still echoed, a ping after it is not answered.
func reservedBits() []Case {
	hello := "Hello, world!"
	echoed := []Event{echoText(hello)}
	return []Case{
		{
			ID:          "3.1",
			Description: "Send a small text message with RSV = 1.",
			Requirement: reqRSV,
			Steps:       []Step{send(text(hello).rsv(1))},
			Want:        fails(protocolError),
		},
		{
			ID:          "3.2",
			Description: "Send a small text message, then the same with RSV = 2, then a ping.",
			Requirement: reqRSV,
			Steps:       []Step{send(text(hello), text(hello).rsv(2), ping(""))},
			Want:        failsAfter(echoed, protocolError),
		},
		{
			ID:          "3.3",
			Description: "Send a small text message, then the same with RSV = 3, then a ping, one frame per write.",
			Requirement: reqRSV,
			Steps:       []Step{sendSync(text(hello), text(hello).rsv(3), ping(""))},
			Want:        failsAfter(echoed, protocolError),
		},
		{
			ID:          "3.4",
			Description: "Send a small text message, then the same with RSV = 4, then a ping, written in chops of 1 byte.",
			Requirement: reqRSV,
			Steps: []Step{
				sendChopped(1, text(hello)),
				sendChopped(1, text(hello).rsv(4)),
				sendChopped(1, ping("")),
			},
			Want: failsAfter(echoed, protocolError),
		},
		{
			ID:          "3.5",
			Description: "Send a small binary message with RSV = 5.",
			Requirement: reqRSV,
			Steps:       []Step{send(bin([]byte("\x00\xff\xfe\xfd\xfc\xfb\x00\xff")).rsv(5))},
			Want:        fails(protocolError),
		},
		{
			// The testsuite's own code sends a binary frame here; the case
			// says a ping, and a ping is what is sent.
			ID:          "3.6",
			Description: "Send a ping with RSV = 6.",
			Requirement: reqRSV,
			Steps:       []Step{send(ping(hello).rsv(6))},
			Want:        fails(protocolError),
		},
		{
			ID:          "3.7",
			Description: "Send a close frame with RSV = 7.",
			Requirement: reqRSV,
			Steps:       []Step{send(Frame{Opcode: frame.OpClose, Fin: true, RSV: 7})},
			Want:        fails(protocolError),
		},
	}
}
