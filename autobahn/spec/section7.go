package spec

import (
	"fmt"
	"strings"

	"github.com/seed865a0254/websocket/frame"
)

// closing is section 7 of the testsuite: the closing handshake, frames after
// a close, close payloads of every size class, and every kind of close code.
func closing() []Case {
	hello := "Hello World!"
	// 256 KiB of a repeated 10-byte pattern, cut at the end.
	big := strings.Repeat("BAsd7&jh23", 256<<10/10+1)[:256<<10]
	cs := []Case{
		{
			ID:          "7.1.1",
			Description: "Send a text message, then a close frame.",
			Requirement: reqCloseReply,
			Steps:       []Step{send(text(hello))},
			Want:        echoes(echoText(hello)),
		},
		{
			ID:          "7.1.2",
			Description: "Send two close frames.",
			Requirement: reqCloseReply + " " + reqAfterClose,
			Steps:       []Step{send(closeWith(normal, ""), closeEmpty())},
			Want:        answers(normal),
		},
		{
			ID:          "7.1.3",
			Description: "Send a ping after a close frame: no pong.",
			Requirement: reqAfterClose,
			Steps:       []Step{send(closeWith(normal, ""), ping(""))},
			Want:        answers(normal),
		},
		{
			ID:          "7.1.4",
			Description: "Send a text message after a close frame: no echo.",
			Requirement: reqAfterClose,
			Steps:       []Step{send(closeWith(normal, ""), text(hello))},
			Want:        answers(normal),
		},
		{
			ID:          "7.1.5",
			Description: "Send the first fragment of a text message, a close frame, then the last fragment: no echo.",
			Requirement: reqAfterClose + " " + reqControlBetween,
			Steps:       []Step{send(text("fragment1").more(), closeWith(normal, ""), cont("fragment2"))},
			Want:        answers(normal),
		},
		{
			ID: "7.1.6",
			Description: "Send a 256 KiB text message, a small text message, a close frame and a ping, back to back. " +
				"Informational in the testsuite: the echoes may stop where the close was processed.",
			Requirement: reqCloseReply + " " + reqAfterClose,
			Steps:       []Step{send(text(big), text(hello), closeWith(normal, ""), ping(""))},
			Want: Want{
				Events: []Event{echoText(big), echoText(hello)},
				Prefix: true,
				Closer: Peer,
				Codes:  []frame.StatusCode{normal},
			},
		},
		{
			ID:          "7.3.1",
			Description: "Send a close frame with an empty payload: the answer has an empty payload too.",
			Requirement: reqCloseEcho + ` §7.1.5: with no status code, "_The WebSocket Connection Close Code_ is considered to be 1005", which is never sent.`,
			Steps:       []Step{send(closeEmpty())},
			Want:        answers(noStatus),
		},
		{
			ID:          "7.3.2",
			Description: "Send a close frame with a payload of 1 byte.",
			Requirement: reqCloseBody,
			Steps:       []Step{send(Frame{Opcode: frame.OpClose, Fin: true, Payload: []byte("a")})},
			Want:        answers(protocolError),
		},
		{
			ID:          "7.3.3",
			Description: "Send a close frame with a payload of 2 bytes: code 1000.",
			Requirement: reqCloseReply,
			Steps:       []Step{send(closeWith(normal, ""))},
			Want:        answers(normal),
		},
		{
			ID:          "7.3.4",
			Description: "Send a close frame with code 1000 and a reason.",
			Requirement: reqCloseReply,
			Steps:       []Step{send(closeWith(normal, hello))},
			Want:        answers(normal),
		},
		{
			ID:          "7.3.5",
			Description: "Send a close frame with code 1000 and a reason of 123 bytes, the longest that fits.",
			Requirement: reqCloseReply + " " + reqControlLength,
			Steps:       []Step{send(closeWith(normal, strings.Repeat("*", 123)))},
			Want:        answers(normal),
		},
		{
			ID:          "7.3.6",
			Description: "Send a close frame with code 1000 and a reason of 124 bytes: a payload of 126 bytes.",
			Requirement: reqControlLength,
			Steps:       []Step{send(closeWith(normal, strings.Repeat("*", 124)))},
			Want:        answers(protocolError),
		},
		{
			ID:          "7.5.1",
			Description: "Send a close frame with code 1000 and a reason that is not valid UTF-8.",
			Requirement: reqCloseReason,
			Steps:       []Step{send(closeWith(normal, kosme+"\xed\xa0\x80edited"))},
			Want:        answers(protocolError, invalidData),
		},
	}
	for i, code := range []frame.StatusCode{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999} {
		cs = append(cs, Case{
			ID:          fmt.Sprintf("7.7.%d", i+1),
			Description: fmt.Sprintf("Send a close frame with the valid code %d: the answer echoes it.", uint16(code)),
			Requirement: reqCloseCodeValid,
			Steps:       []Step{send(closeWith(code, ""))},
			Want:        answers(code),
		})
	}
	for i, code := range []frame.StatusCode{0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999} {
		cs = append(cs, Case{
			ID:          fmt.Sprintf("7.9.%d", i+1),
			Description: fmt.Sprintf("Send a close frame with the invalid code %d.", uint16(code)),
			Requirement: reqCloseCodeReserved,
			Steps:       []Step{send(closeWith(code, ""))},
			Want:        answers(protocolError),
		})
	}
	for i, code := range []frame.StatusCode{5000, 65535} {
		cs = append(cs, Case{
			ID: fmt.Sprintf("7.13.%d", i+1),
			Description: fmt.Sprintf("Send a close frame with the code %d, outside every range of RFC 6455 §7.4.2. "+
				"Informational in the testsuite; this module refuses it with 1002.", uint16(code)),
			Requirement: reqCloseCodeUndefined,
			Steps:       []Step{send(closeWith(code, ""))},
			Want:        answers(protocolError),
		})
	}
	return cs
}
