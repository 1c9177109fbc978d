package spec

import "fmt"

// pings is section 2 of the testsuite: pings answered by pongs with the same
// payload, control frames over 125 bytes refused, unsolicited pongs ignored.
func pings() []Case {
	binaryPayload := "\x00\xff\xfe\xfd\xfc\xfb\x00\xff"
	long := string(repeat(0xfe, 125))
	tenPings := func(chop int) Case {
		var fs []Frame
		var want []Event
		for i := range 10 {
			s := fmt.Sprintf("payload-%d", i)
			fs = append(fs, ping(s))
			want = append(want, pongOf(s))
		}
		c := Case{
			ID:          "2.10",
			Description: "Send 10 pings with payloads, back to back.",
			Requirement: reqEveryPing,
			Steps:       []Step{send(fs...)},
			Want:        echoes(want...),
		}
		if chop > 0 {
			c.ID = "2.11"
			c.Description = "Send 10 pings with payloads, written in chops of 1 byte."
			c.Steps = []Step{sendChopped(chop, fs...)}
		}
		return c
	}
	return []Case{
		{
			ID:          "2.1",
			Description: "Send a ping without payload.",
			Requirement: reqPing,
			Steps:       []Step{send(ping(""))},
			Want:        echoes(pongOf("")),
		},
		{
			ID:          "2.2",
			Description: "Send a ping with a small text payload.",
			Requirement: reqPing,
			Steps:       []Step{send(ping("Hello, world!"))},
			Want:        echoes(pongOf("Hello, world!")),
		},
		{
			ID:          "2.3",
			Description: "Send a ping with a small binary payload that is not UTF-8.",
			Requirement: reqPing,
			Steps:       []Step{send(ping(binaryPayload))},
			Want:        echoes(pongOf(binaryPayload)),
		},
		{
			ID:          "2.4",
			Description: "Send a ping with a binary payload of 125 bytes.",
			Requirement: reqPing,
			Steps:       []Step{send(ping(long))},
			Want:        echoes(pongOf(long)),
		},
		{
			ID:          "2.5",
			Description: "Send a ping with a binary payload of 126 bytes.",
			Requirement: reqControlLength,
			Steps:       []Step{send(ping(long + "\xfe"))},
			Want:        fails(protocolError),
		},
		{
			ID:          "2.6",
			Description: "Send a ping with a binary payload of 125 bytes, written in chops of 1 byte.",
			Requirement: reqPing,
			Steps:       []Step{sendChopped(1, ping(long))},
			Want:        echoes(pongOf(long)),
		},
		{
			ID:          "2.7",
			Description: "Send an unsolicited pong without payload, then a close frame.",
			Requirement: reqUnsolicitedPong,
			Steps:       []Step{send(pong(""), closeWith(normal, ""))},
			Want:        answers(normal),
		},
		{
			ID:          "2.8",
			Description: "Send an unsolicited pong with a payload, then a close frame.",
			Requirement: reqUnsolicitedPong,
			Steps:       []Step{send(pong("unsolicited pong payload"), closeWith(normal, ""))},
			Want:        answers(normal),
		},
		{
			ID:          "2.9",
			Description: "Send an unsolicited pong with a payload, then a ping with a payload.",
			Requirement: reqUnsolicitedPong + " " + reqPing,
			Steps:       []Step{send(pong("unsolicited pong payload"), ping("ping payload"))},
			Want:        echoes(pongOf("ping payload")),
		},
		tenPings(0),
		tenPings(1),
	}
}
