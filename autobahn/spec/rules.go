package spec

import (
	"fmt"
	"strings"

	"github.com/seed865a0254/websocket/frame"
)

// limit is the read limit of the cases that check it: small, so the cases
// stay fast.
const limit = 1024

// designRules are the protocol rules of this module's design that the
// testsuite does not check, or checks more loosely: every ping answered in
// order, close codes echoed, codes that never go on the wire, masking, the
// read limit refused from the declared length, and fail-fast UTF-8 within the
// first frame; and the rules of RFC 7692 in deflateRules. Their IDs are
// "conn.N".
func designRules() []Case {
	manyPings := func(n int) ([]Frame, []Event) {
		var fs []Frame
		var es []Event
		for i := range n {
			s := fmt.Sprintf("ping-%02d", i)
			fs = append(fs, ping(s))
			es = append(es, pongOf(s))
		}
		return fs, es
	}
	flood, floodPongs := manyPings(40)

	// A message in 21 fragments with a ping after each of the first 20.
	var interleaved []Frame
	var interleavedPongs []Event
	var whole strings.Builder
	for i := range 21 {
		part := fmt.Sprintf("part-%02d;", i)
		whole.WriteString(part)
		f := cont(part)
		if i == 0 {
			f = text(part)
		}
		if i < 20 {
			f = f.more()
		}
		interleaved = append(interleaved, f)
		if i < 20 {
			interleaved = append(interleaved, ping(part))
			interleavedPongs = append(interleavedPongs, pongOf(part))
		}
	}

	atLimit := string(repeat('a', limit))
	quarter := repeat('q', limit/4)
	var limitSettings = Settings{ReadLimit: limit, CloseTimeout: lingering.CloseTimeout}

	cs := []Case{
		{
			Description: "Send a text message in 2 fragments with an unsolicited pong between them.",
			Requirement: reqControlBetween + " " + reqUnsolicitedPong,
			Steps:       []Step{send(text("fragment1").more(), pong("unsolicited"), cont("fragment2"))},
			Want:        echoes(echoText("fragment1fragment2")),
		},
		{
			Description: "Send 40 pings with distinct payloads in one write: 40 pongs, in order.",
			Requirement: reqEveryPing,
			Steps:       []Step{send(flood...)},
			Want:        echoes(floodPongs...),
		},
		{
			Description: "Send a text message in 21 fragments with a ping after each of the first 20: 20 pongs in order, then the message.",
			Requirement: reqEveryPing + " " + reqControlBetween,
			Steps:       []Step{send(interleaved...)},
			Want:        echoes(append(interleavedPongs, echoText(whole.String()))...),
		},
		{
			Description: "Send a close frame with code 3000 and a reason: the answer echoes the code.",
			Requirement: reqCloseEcho,
			Steps:       []Step{send(closeWith(3000, "going to lunch"))},
			Want:        answers(3000),
		},
	}
	for _, code := range []frame.StatusCode{frame.StatusServiceRestart, frame.StatusTryAgainLater, frame.StatusBadGateway} {
		cs = append(cs, Case{
			Description: fmt.Sprintf("Send a close frame with code %d, registered with IANA after RFC 6455: the answer echoes it.", uint16(code)),
			Requirement: reqCloseEcho,
			Steps:       []Step{send(closeWith(code, ""))},
			Want:        answers(code),
		})
	}
	cs = append(cs,
		Case{
			Description: "Send a close frame with code 1015, which is never sent on the wire.",
			Requirement: reqCloseCodeReserved,
			Steps:       []Step{send(closeWith(frame.StatusTLSHandshake, ""))},
			Want:        answers(protocolError),
		},
		Case{
			Description: "Send a text message masked the wrong way: unmasked from a client, masked from a server.",
			Requirement: reqMasking,
			Steps:       []Step{send(Frame{Opcode: frame.OpText, Fin: true, Payload: []byte("Hello"), WrongMask: true})},
			Want:        fails(protocolError),
		},
		Case{
			Description: "Send a ping masked the wrong way.",
			Requirement: reqMasking,
			Steps:       []Step{send(Frame{Opcode: frame.OpPing, Fin: true, Payload: []byte("Hello"), WrongMask: true})},
			Want:        fails(protocolError),
		},
		Case{
			Description: fmt.Sprintf("With a read limit of %d bytes, send a text message of exactly %d bytes.", limit, limit),
			Requirement: reqLimits,
			Steps:       []Step{send(text(atLimit))},
			Want:        echoes(echoText(atLimit)),
			Settings:    Settings{ReadLimit: limit},
		},
		Case{
			Description: fmt.Sprintf("With a read limit of %d bytes, send a binary message of %d bytes in 4 fragments.", limit, limit),
			Requirement: reqLimits,
			Steps:       []Step{send(fragments(frame.OpBinary, repeat('q', limit), limit/4)...)},
			Want:        echoes(echoBinary(repeat('q', limit))),
			Settings:    Settings{ReadLimit: limit},
		},
		Case{
			Description: fmt.Sprintf("With a read limit of %d bytes, send only the header of a text frame declaring %d bytes: "+
				"the message is refused from its declared length, before any payload.", limit, limit+1),
			Requirement: reqLimits,
			Steps:       []Step{sendHeader(Frame{Opcode: frame.OpText, Fin: true, Length: limit + 1}), awaitClose()},
			Want:        failsLingering(tooBig),
			Settings:    limitSettings,
		},
		Case{
			Description: fmt.Sprintf("With a read limit of %d bytes, send a first fragment of %d bytes, then only the header of a continuation "+
				"declaring %d more: refused from the declared length.", limit, limit-24, 25),
			Requirement: reqLimits,
			Steps: []Step{
				send(Frame{Opcode: frame.OpText, Payload: repeat('a', limit-24)}),
				sendHeader(Frame{Opcode: frame.OpContinuation, Fin: true, Length: 25}),
				awaitClose(),
			},
			Want:     failsLingering(tooBig),
			Settings: limitSettings,
		},
		Case{
			Description: fmt.Sprintf("With a read limit of %d bytes, send a binary message in 5 fragments of %d bytes: refused at the fifth.", limit, limit/4),
			Requirement: reqLimits,
			Steps: []Step{send(
				Frame{Opcode: frame.OpBinary, Payload: quarter},
				Frame{Opcode: frame.OpContinuation, Payload: quarter},
				Frame{Opcode: frame.OpContinuation, Payload: quarter},
				Frame{Opcode: frame.OpContinuation, Payload: quarter},
				Frame{Opcode: frame.OpContinuation, Fin: true, Payload: quarter},
			)},
			Want:     fails(tooBig),
			Settings: Settings{ReadLimit: limit},
		},
		Case{
			Description: "With the default read limit, send only the header of a binary frame declaring 2^62 bytes.",
			Requirement: reqLimits,
			Steps:       []Step{sendHeader(Frame{Opcode: frame.OpBinary, Fin: true, Length: 1 << 62}), awaitClose()},
			Want:        failsLingering(tooBig),
			Settings:    lingering,
		},
		Case{
			Description: "Send only the header of a binary frame whose 64-bit length has the most significant bit set.",
			Requirement: reqLength,
			Steps:       []Step{sendHeader(Frame{Opcode: frame.OpBinary, Fin: true, Length: -1 << 63}), awaitClose()},
			Want:        failsLingering(protocolError),
			Settings:    lingering,
		},
		Case{
			Description: "Send a text message in 2 fragments, the continuation with RSV = 4 (RSV1).",
			Requirement: reqRSV,
			Steps:       []Step{send(text("fragment1").more(), cont("fragment2").rsv(4))},
			Want:        fails(protocolError),
		},
		Case{
			Description: "Send the first fragment of a text message holding an impossible byte (0xff); the rest is sent only after the close is due.",
			Requirement: reqUTF8FailFast,
			Steps:       []Step{send(text("abc\xff").more()), awaitClose(), send(cont("def"))},
			Want:        fails(invalidData),
		},
		Case{
			Description: "Send a text message whose last fragment is empty and whose text ends inside a 3-byte sequence (e2 82).",
			Requirement: reqUTF8Valid,
			Steps:       []Step{send(text("\xe2\x82").more(), cont(""))},
			Want:        fails(invalidData),
		},
		Case{
			Description: "Send a close frame with code 1000 and the reason 0xff: the answer is 1007.",
			Requirement: reqCloseReason,
			Steps:       []Step{send(closeWith(normal, "\xff"))},
			Want:        answers(invalidData),
		},
		Case{
			Description: "Send a binary message that is not valid UTF-8: binary data is not validated.",
			Requirement: `RFC 6455 §5.6: "The "Payload data" is arbitrary binary data whose interpretation is solely up to the application layer."`,
			Steps:       []Step{send(bin([]byte("\xff\xfe\xed\xa0\x80\xc0\xaf")))},
			Want:        echoes(echoBinary([]byte("\xff\xfe\xed\xa0\x80\xc0\xaf"))),
		},
		Case{
			Description: "Send a pong with a payload of 126 bytes.",
			Requirement: reqControlLength,
			Steps:       []Step{send(pong(string(repeat('p', 126))))},
			Want:        fails(protocolError),
		},
		Case{
			Description: "Send a close frame with FIN clear.",
			Requirement: reqControlLength,
			Steps:       []Step{send(closeWith(normal, "").more())},
			Want:        fails(protocolError),
		},
		Case{
			Description: "Send a ping of 126 bytes, then neither answer the endpoint's close nor close the connection: the endpoint drops it.",
			Requirement: reqFailDrop,
			Steps:       []Step{send(ping(string(repeat('p', 126))))},
			Want:        failsLingering(protocolError),
			Settings:    lingering,
		},
		Case{
			Description: "Send a close frame, receive the answer: a client endpoint then waits for the server to close the TCP connection.",
			Requirement: reqClientWaits,
			Steps:       []Step{send(closeWith(frame.StatusGoingAway, "bye"))},
			Want:        answers(frame.StatusGoingAway),
		},
	)
	cs = append(cs, deflateRules()...)
	for i := range cs {
		cs[i].ID = fmt.Sprintf("conn.%d", i+1)
	}
	return cs
}
