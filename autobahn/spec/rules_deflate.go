package spec

import (
	"bytes"
	"fmt"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// deflateRules are the rules of RFC 7692 that the testsuite does not check,
// and the RFC's own examples of compressed messages (§7.2.3), byte for byte.
// designRules numbers them after its own.
func deflateRules() []Case {
	// compressing agrees d; the endpoint compresses every message it echoes.
	compressing := func(d handshake.Deflate) Settings {
		return Settings{Deflate: &d, Compression: &Compression{}}
	}
	plain := handshake.Deflate{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}
	limited := compressing(plain)
	limited.ReadLimit = limit

	// RFC 7692 §7.2.3.1: "Hello" in one compressed DEFLATE block.
	hello := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}
	helloEcho := echoText("Hello").deflated()

	json := jsonCorpus(600)
	jsonZ := deflate(json)
	random := randomish(300, 6)

	// Empty stored blocks inflate to nothing: 420 of them, then "Hello",
	// make a compressed message twice as long as the limit (beyond the
	// small allowance an endpoint may give DEFLATE's overhead) that
	// inflates to 5 bytes.
	const emptyBlocks = 420
	padded := append(bytes.Repeat([]byte{0x00, 0x00, 0x00, 0xff, 0xff}, emptyBlocks), hello...)

	return []Case{
		{
			Description: `Send "Hello" compressed in one DEFLATE block (RFC 7692 §7.2.3.1: c1 07 f2 48 cd c9 c9 07 00).`,
			Requirement: reqDeflate,
			Steps:       []Step{send(text(string(hello)).rsv(4))},
			Want:        echoes(helloEcho),
			Settings:    compressing(plain),
		},
		{
			Description: `Send the same compressed "Hello" in 2 frames, RSV1 on the first only (RFC 7692 §7.2.3.1).`,
			Requirement: reqDeflate,
			Steps:       []Step{send(text(string(hello[:3])).rsv(4).more(), cont(string(hello[3:])))},
			Want:        echoes(helloEcho),
			Settings:    compressing(plain),
		},
		{
			Description: `With context takeover agreed, send "Hello" compressed twice, the second time with the first one's window ` +
				`(RFC 7692 §7.2.3.2: f2 00 11 00 00).`,
			Requirement: reqTakeover,
			Steps:       []Step{send(text(string(hello)).rsv(4), text("\xf2\x00\x11\x00\x00").rsv(4))},
			Want:        echoes(helloEcho, helloEcho),
			Settings:    compressing(plain),
		},
		{
			Description: `Send "Hello" in a DEFLATE block with no compression (RFC 7692 §7.2.3.3: 00 05 00 fa ff 48 65 6c 6c 6f 00).`,
			Requirement: reqDeflate,
			Steps:       []Step{send(text("\x00\x05\x00\xfa\xffHello\x00").rsv(4))},
			Want:        echoes(helloEcho),
			Settings:    compressing(plain),
		},
		{
			Description: `Send "Hello" in a DEFLATE block with BFINAL set to 1 (RFC 7692 §7.2.3.4: f3 48 cd c9 c9 07 00 00).`,
			Requirement: reqDeflate,
			Steps:       []Step{send(text("\xf3\x48\xcd\xc9\xc9\x07\x00\x00").rsv(4))},
			Want:        echoes(helloEcho),
			Settings:    compressing(plain),
		},
		{
			Description: `Send "Hello" in two DEFLATE blocks (RFC 7692 §7.2.3.5: f2 48 05 00 00 00 ff ff ca c9 c9 07 00).`,
			Requirement: reqDeflate,
			Steps:       []Step{send(text("\xf2\x48\x05\x00\x00\x00\xff\xff\xca\xc9\xc9\x07\x00").rsv(4))},
			Want:        echoes(helloEcho),
			Settings:    compressing(plain),
		},
		{
			Description: "Send an empty text message compressed as the single byte 00 (RFC 7692 §7.2.3.6).",
			Requirement: reqDeflate,
			Steps:       []Step{send(text("\x00").rsv(4))},
			Want:        echoes(echoText("").deflated()),
			Settings:    compressing(plain),
		},
		{
			Description: fmt.Sprintf("Send a binary message of %d bytes compressed into 2 frames, with a ping between them.", len(json)),
			Requirement: reqControlBetween + " " + reqCompressedBit,
			Steps: []Step{send(
				bin(jsonZ[:len(jsonZ)/2]).rsv(4).more(), ping("between"),
				Frame{Opcode: frame.OpContinuation, Fin: true, Payload: jsonZ[len(jsonZ)/2:]},
			)},
			Want:     echoes(pongOf("between"), echoBinary(json).deflated()),
			Settings: compressing(plain),
		},
		{
			Description: fmt.Sprintf("With context takeover agreed, send %d bytes of text compressed, then a text message uncompressed, "+
				"then the first again compressed, referring to its first sending: the uncompressed message is no part of the window.", len(json)),
			Requirement: reqTakeover,
			Steps: []Step{
				sendCompressed(text(string(json))), expect(echoText(string(json)).deflated()),
				send(text("sent as it is")), expect(echoText("sent as it is").deflated()),
				sendCompressed(text(string(json))), expect(echoText(string(json)).deflated()),
			},
			Want:     echoes(),
			Settings: compressing(plain),
		},
		{
			Description: fmt.Sprintf("With windows of 9 bits and context takeover agreed, send %d random bytes compressed, then their first 200, "+
				"which refer %d bytes back into the message before: within the 512 bytes the endpoint must keep.", len(random), len(random)),
			Requirement: reqWindow + " " + reqTakeover,
			Steps: []Step{
				sendCompressed(bin(random)), expect(echoBinary(random).deflated()),
				sendCompressed(bin(random[:200])), expect(echoBinary(random[:200]).deflated()),
			},
			Want:     echoes(),
			Settings: compressing(handshake.Deflate{ServerMaxWindowBits: 9, ClientMaxWindowBits: 9}),
		},
		{
			Description: "Send a compressed text message in 2 frames, RSV1 set on the continuation too.",
			Requirement: reqCompressedBit,
			Steps:       []Step{send(text(string(hello[:3])).rsv(4).more(), cont(string(hello[3:])).rsv(4))},
			Want:        fails(protocolError),
			Settings:    compressing(plain),
		},
		{
			Description: "Send a ping with RSV1 set.",
			Requirement: reqCompressedBit,
			Steps:       []Step{send(ping("Hello").rsv(4))},
			Want:        fails(protocolError),
			Settings:    compressing(plain),
		},
		{
			Description: "Send a close frame with code 1000 and RSV1 set: the answer is 1002, not an echo.",
			Requirement: reqCompressedBit,
			Steps:       []Step{send(closeWith(normal, "").rsv(4))},
			Want:        fails(protocolError),
			Settings:    compressing(plain),
		},
		{
			Description: `Without permessage-deflate negotiated, send "Hello" compressed with RSV1 set (RFC 7692 §7.2.3.1).`,
			Requirement: reqRSV,
			Steps:       []Step{send(text(string(hello)).rsv(4))},
			Want:        fails(protocolError),
		},
		{
			Description: `Send "Hello" compressed with RSV1 and RSV2 set: permessage-deflate claims RSV1 only.`,
			Requirement: reqRSV,
			Steps:       []Step{send(text(string(hello)).rsv(6))},
			Want:        fails(protocolError),
			Settings:    compressing(plain),
		},
		{
			Description: "Send a text message with RSV1 set whose payload is not DEFLATE data (ff ff ff ff: a reserved block type).",
			Requirement: reqNotDeflate,
			Steps:       []Step{send(text("\xff\xff\xff\xff").rsv(4))},
			Want:        fails(invalidData),
			Settings:    compressing(plain),
		},
		{
			Description: "Send a compressed text message that inflates to text holding an impossible byte (0xff).",
			Requirement: reqInflatedUTF8,
			Steps:       []Step{send(text(string(deflate([]byte("Hello-\xff-world")))).rsv(4))},
			Want:        fails(invalidData),
			Settings:    compressing(plain),
		},
		{
			Description: fmt.Sprintf("With a read limit of %d bytes, send a compressed text message inflating to exactly %d bytes.", limit, limit),
			Requirement: reqInflatedLimit,
			Steps:       []Step{send(text(string(deflate(repeat('a', limit)))).rsv(4))},
			Want:        echoes(echoText(string(repeat('a', limit))).deflated()),
			Settings:    limited,
		},
		{
			Description: fmt.Sprintf("With a read limit of %d bytes, send a compressed text message inflating to %d bytes.", limit, limit+1),
			Requirement: reqInflatedLimit,
			Steps:       []Step{send(text(string(deflate(repeat('a', limit+1)))).rsv(4))},
			Want:        fails(tooBig),
			Settings:    limited,
		},
		{
			Description: fmt.Sprintf("With a read limit of %d bytes, send %d bytes of zeros compressed to %d bytes: refused while inflating.",
				limit, 256<<10, len(deflate(make([]byte, 256<<10)))),
			Requirement: reqInflatedLimit,
			Steps:       []Step{send(bin(deflate(make([]byte, 256<<10))).rsv(4))},
			Want:        fails(tooBig),
			Settings:    limited,
		},
		{
			Description: fmt.Sprintf(`With a read limit of %d bytes, send "Hello" compressed behind %d empty stored blocks: %d bytes on the wire, `+
				"refused from its declared length though it inflates to 5 bytes.", limit, emptyBlocks, len(padded)),
			Requirement: reqInflatedLimit + " The compressed message is held to the limit too, give or take DEFLATE's overhead on data that does not compress.",
			Steps:       []Step{send(text(string(padded)).rsv(4))},
			Want:        fails(tooBig),
			Settings:    limited,
		},
	}
}
