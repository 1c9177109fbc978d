package spec

import (
	"fmt"

	"github.com/seed865a0254/websocket/frame"
)

// reservedOpcodes is section 4 of the testsuite: frames with reserved data
// (3-7) and control (11-15) opcodes fail the connection.
func reservedOpcodes() []Case {
	hello := "Hello, world!"
	echoed := []Event{echoText(hello)}
	var cs []Case
	for _, group := range []struct {
		sub   int
		first frame.Opcode
		kind  string
	}{{1, 3, "data"}, {2, 11, "control"}} {
		id := func(n int) string { return fmt.Sprintf("4.%d.%d", group.sub, n) }
		op := group.first
		cs = append(cs,
			Case{
				ID:          id(1),
				Description: fmt.Sprintf("Send a frame with the reserved %s opcode %d.", group.kind, op),
				Requirement: reqOpcode,
				Steps:       []Step{send(opcode(op, ""))},
				Want:        fails(protocolError),
			},
			Case{
				ID:          id(2),
				Description: fmt.Sprintf("Send a frame with the reserved %s opcode %d and a payload.", group.kind, op+1),
				Requirement: reqOpcode,
				Steps:       []Step{send(opcode(op+1, "reserved opcode payload"))},
				Want:        fails(protocolError),
			},
			Case{
				ID:          id(3),
				Description: fmt.Sprintf("Send a small text message, then a frame with the reserved %s opcode %d, then a ping.", group.kind, op+2),
				Requirement: reqOpcode,
				Steps:       []Step{send(text(hello), opcode(op+2, ""), ping(""))},
				Want:        failsAfter(echoed, protocolError),
			},
			Case{
				ID:          id(4),
				Description: fmt.Sprintf("Send a small text message, then a frame with the reserved %s opcode %d and a payload, then a ping.", group.kind, op+3),
				Requirement: reqOpcode,
				Steps:       []Step{send(text(hello), opcode(op+3, hello), ping(""))},
				Want:        failsAfter(echoed, protocolError),
			},
			Case{
				ID: id(5),
				Description: fmt.Sprintf("Send a small text message, then a frame with the reserved %s opcode %d and a payload, "+
					"then a ping, written in chops of 1 byte.", group.kind, op+4),
				Requirement: reqOpcode,
				Steps: []Step{
					sendChopped(1, text(hello)),
					sendChopped(1, opcode(op+4, hello)),
					sendChopped(1, ping("")),
				},
				Want: failsAfter(echoed, protocolError),
			},
		)
	}
	return cs
}
