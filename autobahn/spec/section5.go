package spec

import (
	"time"

	"github.com/seed865a0254/websocket/frame"
)

// fragmentation is section 5 of the testsuite: fragmented control frames,
// fragmented messages sent at once, frame by frame and byte by byte, control
// frames between fragments, and continuation frames out of place.
func fragmentation() []Case {
	f1, f2 := "fragment1", "fragment2"
	both := f1 + f2
	pingPayload := "ping payload"
	hello := "Hello, world!"
	orphan := "non-continuation payload"

	// The same frames, written in one go, one frame per write, and in
	// chops of one byte.
	ways := []struct {
		how  string
		send func(...Frame) Step
	}{
		{"", send},
		{", one frame per write", sendSync},
		{", written in chops of 1 byte", func(fs ...Frame) Step { return sendChopped(1, fs...) }},
	}
	waysOneChop := []string{", sent in one write", ", one frame per write", ", written in chops of 1 byte"}

	cs := []Case{
		{
			ID:          "5.1",
			Description: "Send a ping fragmented into 2 fragments.",
			Requirement: reqControlLength,
			Steps:       []Step{send(ping(f1).more(), cont(f2))},
			Want:        fails(protocolError),
		},
		{
			ID:          "5.2",
			Description: "Send a pong fragmented into 2 fragments.",
			Requirement: reqControlLength,
			Steps:       []Step{send(pong(f1).more(), cont(f2))},
			Want:        fails(protocolError),
		},
	}
	ids := []string{"5.3", "5.4", "5.5"}
	for i, w := range ways {
		cs = append(cs, Case{
			ID:          ids[i],
			Description: "Send a text message fragmented into 2 fragments" + w.how + ".",
			Requirement: reqSupportFragments,
			Steps:       []Step{w.send(text(f1).more(), cont(f2))},
			Want:        echoes(echoText(both)),
		})
	}
	ids = []string{"5.6", "5.7", "5.8"}
	for i, w := range ways {
		cs = append(cs, Case{
			ID:          ids[i],
			Description: "Send a text message fragmented into 2 fragments, with a ping with payload between them" + w.how + ".",
			Requirement: reqControlBetween,
			Steps:       []Step{w.send(text(f1).more(), ping(pingPayload), cont(f2))},
			Want:        echoes(pongOf(pingPayload), echoText(both)),
		})
	}
	ids = []string{"5.9", "5.10", "5.11"}
	for i, w := range ways {
		cs = append(cs, Case{
			ID:          ids[i],
			Description: "Send a continuation frame with FIN set where there is nothing to continue, then a text message" + waysOneChop[i] + ".",
			Requirement: reqFragmented,
			Steps:       []Step{w.send(cont(orphan), text(hello))},
			Want:        fails(protocolError),
		})
	}
	ids = []string{"5.12", "5.13", "5.14"}
	for i, w := range ways {
		cs = append(cs, Case{
			ID:          ids[i],
			Description: "Send a continuation frame with FIN clear where there is nothing to continue, then a text message" + waysOneChop[i] + ".",
			Requirement: reqFragmented,
			Steps:       []Step{w.send(cont(orphan).more(), text(hello))},
			Want:        fails(protocolError),
		})
	}
	twice := func(first Frame) []Frame {
		var fs []Frame
		for range 2 {
			fs = append(fs, first, text("fragment2").more(), cont("fragment3"))
		}
		return fs
	}
	cs = append(cs,
		Case{
			ID: "5.15",
			Description: "Send a text message in 2 fragments, then a continuation frame with FIN clear where there is nothing to continue, " +
				"then a text message, in one write.",
			Requirement: reqFragmented,
			Steps:       []Step{send(text(f1).more(), cont(f2), cont("fragment3").more(), text("fragment4"))},
			Want:        failsAfter([]Event{echoText(both)}, protocolError),
		},
		Case{
			ID:          "5.16",
			Description: "Twice: a continuation frame with FIN clear where there is nothing to continue, then a text message in 2 fragments.",
			Requirement: reqFragmented,
			Steps:       []Step{send(twice(cont("fragment1").more())...)},
			Want:        fails(protocolError),
		},
		Case{
			ID:          "5.17",
			Description: "Twice: a continuation frame with FIN set where there is nothing to continue, then a text message in 2 fragments.",
			Requirement: reqFragmented,
			Steps:       []Step{send(twice(cont("fragment1"))...)},
			Want:        fails(protocolError),
		},
		Case{
			ID:          "5.18",
			Description: "Send a text message in 2 fragments, both with the text opcode, in one write.",
			Requirement: reqFragmented + " " + reqInterleave,
			Steps:       []Step{send(text(f1).more(), text(f2))},
			Want:        fails(protocolError),
		},
	)
	for _, c := range []struct {
		id   string
		send func(...Frame) Step
		how  string
	}{{"5.19", send, ""}, {"5.20", sendSync, " Every frame is written on its own."}} {
		frag := func(s string) Frame { return Frame{Opcode: frame.OpContinuation, Payload: []byte(s)} }
		cs = append(cs, Case{
			ID: c.id,
			Description: "Send a text message in 5 fragments: 2 fragments and a ping; wait 1 s; 2 more fragments, " +
				"another ping and the last fragment. The first pong must come before the message is complete." + c.how,
			Requirement: reqControlBetween,
			Steps: []Step{
				c.send(text("fragment1").more(), frag("fragment2"), ping("pongme 1!")),
				expect(pongOf("pongme 1!")),
				pause(time.Second),
				c.send(frag("fragment3"), frag("fragment4"), ping("pongme 2!"), cont("fragment5")),
			},
			Want: echoes(pongOf("pongme 2!"), echoText("fragment1fragment2fragment3fragment4fragment5")),
		})
	}
	return cs
}
