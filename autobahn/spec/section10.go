package spec

import "github.com/seed865a0254/websocket/frame"

// autoFragmentation is section 10 of the testsuite: a 64 KiB text message cut
// into frames of 1300 bytes.
func autoFragmentation() []Case {
	p := repeat('*', 65536)
	return []Case{{
		ID:          "10.1.1",
		Description: "Send a text message of 65536 bytes in fragments of 1300 bytes.",
		Requirement: reqSupportFragments,
		Steps:       []Step{send(fragments(frame.OpText, p, 1300)...)},
		Want:        echoes(echoText(string(p))),
	}}
}
