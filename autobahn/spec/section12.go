package spec

import (
	"fmt"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// deflateTraffic is the testsuite's list of message sizes for sections 12
// and 13, by case number (the last part of the ID): the payload size, and
// the size of the frames the compressed message is cut into (0: one frame).
// The testsuite sends 1000 messages of each, one at a time.
var deflateTraffic = [...]struct{ size, fragment int }{
	1: {16, 0}, 2: {64, 0}, 3: {256, 0}, 4: {1024, 0}, 5: {4096, 0},
	6: {8192, 0}, 7: {16384, 0}, 8: {32768, 0}, 9: {65536, 0}, 10: {131072, 0},
	11: {8192, 256}, 12: {16384, 256}, 13: {32768, 256}, 14: {65536, 256}, 15: {131072, 256},
	16: {131072, 1024}, 17: {131072, 4096}, 18: {131072, 32768},
}

// The case numbers re-expressed here: the smallest messages, sizes on
// both sides of the endpoint's threshold and of a 9-bit window, one far past
// a 32 KiB window, and one with the compressed message cut into frames.
// Each sends a handful of messages, not 1000, so that the table stays fast.
var (
	section12Picks = []int{1, 3, 4, 5, 10, 11}
	section13Picks = []int{1, 2, 3, 5, 10, 11}
)

// deflateCount is how many messages of size a case sends.
func deflateCount(size int) int {
	if size > 8192 {
		return 2
	}
	return 4
}

// defaultThreshold is the size from which section 12's endpoint compresses
// what it echoes: this module's default.
const defaultThreshold = 512

// corpus is the data a subsection cuts its messages from.
type corpus struct {
	desc string
	op   frame.Opcode
	data []byte
}

// compressionPayloads is section 12 of the testsuite: messages of five kinds
// of data, compressed, echoed one at a time, under the agreement the
// testsuite's default offer gets when accepted as it is (both sides may take
// over their context, windows of 15 bits). The endpoint compresses what it
// echoes from defaultThreshold bytes on, without context takeover.
func compressionPayloads() []Case {
	data := corpora()
	subsections := []corpus{
		{"JSON (the testsuite's data1.json)", frame.OpText, data.json},
		{"8-bit grayscale pixels (the testsuite's lena512.bmp)", frame.OpBinary, data.bitmap},
		{"German prose, as binary (the testsuite's Goethe, Faust I)", frame.OpBinary, data.prose},
		{"HTML (the testsuite's data1.html)", frame.OpText, data.html},
		{"PDF-like objects with random streams (the testsuite's PDF)", frame.OpBinary, data.pdf},
	}
	set := Settings{
		Deflate:     &handshake.Deflate{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15},
		Compression: &Compression{Threshold: defaultThreshold},
	}
	var cs []Case
	for j, c := range subsections {
		for _, i := range section12Picks {
			cs = append(cs, deflateCase(fmt.Sprintf("12.%d.%d", j+1, i), c, i,
				"with permessage-deflate agreed with no parameters (context takeover allowed both ways, 15-bit windows)",
				fmt.Sprintf("messages of %d bytes or more come back compressed", defaultThreshold),
				reqDeflate, set))
		}
	}
	return cs
}

// deflateCase is case id: messages of traffic number i cut from c, each
// compressed, sent and awaited before the next, under set.
func deflateCase(id string, c corpus, i int, agreement, echoNote, req string, set Settings) Case {
	t := deflateTraffic[i]
	count := deflateCount(t.size)
	d, z := *set.Deflate, *set.Compression // each case its own values
	set.Deflate, set.Compression = &d, &z
	var steps []Step
	for _, m := range messages(c.data, t.size, count, c.op == frame.OpText) {
		echo := echoOf(c.op, m)
		if t.size >= set.Compression.Threshold {
			echo = echo.deflated()
		}
		steps = append(steps, sendCompressedIn(t.fragment, Frame{Opcode: c.op, Fin: true, Payload: m}), expect(echo))
	}
	cut := "in one frame"
	if t.fragment > 0 {
		cut = fmt.Sprintf("cut into frames of %d bytes", t.fragment)
	}
	return Case{
		ID: id,
		Description: fmt.Sprintf("%s, send %d %s messages of %d bytes of %s, each compressed and %s, one at a time "+
			"(the testsuite sends 1000); %s.", capitalize(agreement), count, c.op, t.size, c.desc, cut, echoNote),
		Requirement: req,
		Steps:       steps,
		Want:        echoes(),
		Settings:    set,
	}
}

// capitalize upper-cases the first letter of an ASCII sentence.
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
