package frame_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/seed865a0254/websocket/frame"
)

// The single-frame masked text message "Hello" of RFC 6455 §5.7.
func ExampleAppendHeader() {
	h := frame.Header{Fin: true, Opcode: frame.OpText, Masked: true, Key: [4]byte{0x37, 0xfa, 0x21, 0x3d}, Length: 5}
	b := frame.AppendHeader(nil, h)
	payload := []byte("Hello")
	frame.Mask(h.Key, 0, payload)
	b = append(b, payload...)
	fmt.Printf("% x\n", b)
	// Output: 81 85 37 fa 21 3d 7f 9f 4d 51 58
}

// The RFC 6455 §5.7 examples, encoded.
func ExampleAppendHeader_rfcExamples() {
	examples := []struct {
		name string
		h    frame.Header
	}{
		{"Hel (first fragment)", frame.Header{Opcode: frame.OpText, Length: 3}},
		{"lo (last fragment)", frame.Header{Fin: true, Opcode: frame.OpContinuation, Length: 2}},
		{"ping Hello", frame.Header{Fin: true, Opcode: frame.OpPing, Length: 5}},
		{"256-byte binary", frame.Header{Fin: true, Opcode: frame.OpBinary, Length: 256}},
		{"64KiB binary", frame.Header{Fin: true, Opcode: frame.OpBinary, Length: 65536}},
	}
	for _, e := range examples {
		fmt.Printf("%-21s % x\n", e.name, frame.AppendHeader(nil, e.h))
	}
	// Output:
	// Hel (first fragment)  01 03
	// lo (last fragment)    80 02
	// ping Hello            89 05
	// 256-byte binary       82 7e 01 00
	// 64KiB binary          82 7f 00 00 00 00 00 01 00 00
}

// Decoding the unmasked text message "Hello" of RFC 6455 §5.7.
func ExampleParseHeader() {
	wire := []byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}
	h, n, err := frame.ParseHeader(wire)
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Fin, h.Opcode, h.Masked, h.Length)
	fmt.Printf("%s\n", wire[n:n+int(h.Length)])
	fmt.Println(frame.Check(h, frame.Client, frame.State{}))
	fmt.Println(frame.Check(h, frame.Server, frame.State{}))
	// Output:
	// true text false 5
	// Hello
	// <nil>
	// frame: unmasked frame from client
}

// Unmasking a payload that arrives in two reads.
func ExampleMask() {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	first, second := []byte{0x7f, 0x9f, 0x4d}, []byte{0x51, 0x58}
	pos := frame.Mask(key, 0, first)
	frame.Mask(key, pos, second)
	fmt.Printf("%s%s\n", first, second)
	// Output: Hello
}

// "F4 90" can never become valid UTF-8 (it would be above U+10FFFF), so the
// validator fails at 0x90, even when it arrives in a later piece.
func ExampleUTF8Validator() {
	var v frame.UTF8Validator
	fmt.Println(v.Validate([]byte("ok \xf4")))
	fmt.Println(v.Validate([]byte("\x90\x80\x80")))
	// Output:
	// 4 <nil>
	// 0 frame: invalid UTF-8 in text
}

func ExampleParseClose() {
	code, reason, err := frame.ParseClose(frame.AppendClose(nil, frame.StatusGoingAway, "restart"))
	fmt.Println(code, reason, err)
	fmt.Println(frame.ParseClose(nil))
	fmt.Println(frame.ParseClose([]byte{0x03, 0xed}))
	// Output:
	// 1001 going away restart <nil>
	// 1005 no status received  <nil>
	// 1005 no status received  frame: invalid close code
}

// A client parses the unmasked frames of RFC 6455 §5.7: the single-frame
// text message "Hello", then "Hel" and "lo" as two fragments of one message.
func ExampleParser() {
	p := frame.NewParser(frame.Client, frame.State{}, 1<<20)
	received := []byte{
		0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f, // FIN, text, 5 bytes: "Hello"
		0x01, 0x03, 0x48, 0x65, 0x6c, // text, 3 bytes: "Hel"
		0x80, 0x02, 0x6c, 0x6f, // FIN, continuation, 2 bytes: "lo"
	}
	var ev frame.Event
	for {
		n, err := p.Parse(received, &ev)
		if err != nil {
			fmt.Println(err)
			return
		}
		if ev.Kind == frame.EventNone {
			break // wait for more bytes
		}
		received = received[n:]
		fmt.Printf("%s %s %q start=%v fin=%v\n", ev.Kind, ev.Type, ev.Payload, ev.Start, ev.Fin)
	}
	// Output:
	// data text "Hello" start=true fin=true
	// data text "Hel" start=true fin=false
	// data text "lo" start=false fin=true
}

// A server receives the masked "Hello" of RFC 6455 §5.7 in two reads: the
// first brings the header and one payload byte, and the caller reads the
// rest of the payload into its own buffer and hands it to Payload.
func ExampleParser_Payload() {
	p := frame.NewParser(frame.Server, frame.State{}, 1<<20)
	first := []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f} // header, masking key, 1 byte
	var ev frame.Event
	n, err := p.Parse(first, &ev)
	fmt.Printf("%q more=%d consumed=%d %v\n", ev.Payload, ev.More, n, err)

	own := make([]byte, p.Remaining())
	copy(own, []byte{0x9f, 0x4d, 0x51, 0x58}) // as if read from the connection
	err = p.Payload(own, &ev)
	fmt.Printf("%q more=%d fin=%v %v\n", ev.Payload, ev.More, ev.Fin, err)
	// Output:
	// "H" more=4 consumed=7 <nil>
	// "ello" more=0 fin=true <nil>
}

// A ping between fragments, and a close after which nothing counts.
func ExampleParser_control() {
	p := frame.NewParser(frame.Client, frame.State{}, 1<<20)
	received := []byte{
		0x01, 0x03, 0x48, 0x65, 0x6c, // text, 3 bytes: "Hel"
		0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f, // ping "Hello"
		0x88, 0x02, 0x03, 0xe8, // close 1000
		0x80, 0x02, 0x6c, 0x6f, // "lo", after the close: discarded
	}
	var ev frame.Event
	for len(received) > 0 {
		n, err := p.Parse(received, &ev)
		if err != nil {
			fmt.Println(err)
			return
		}
		received = received[n:]
		switch ev.Kind {
		case frame.EventData:
			fmt.Printf("data %q\n", ev.Payload)
		case frame.EventPing:
			fmt.Printf("ping %q: answer with a pong echoing it\n", ev.Payload)
		case frame.EventClose:
			fmt.Printf("close %v %q\n", ev.Code, ev.Reason)
		case frame.EventNone:
			fmt.Printf("%d bytes discarded\n", n)
		}
	}
	// Output:
	// data "Hel"
	// ping "Hello": answer with a pong echoing it
	// close 1000 normal closure ""
	// 4 bytes discarded
}

// Check judges a header received by one side: the same frame is legal for a
// client and a violation for a server.
func ExampleCheck() {
	unmasked := frame.Header{Fin: true, Opcode: frame.OpText, Length: 5}
	fmt.Println(frame.Check(unmasked, frame.Client, frame.State{}))
	err := frame.Check(unmasked, frame.Server, frame.State{})
	fmt.Println(errors.Is(err, frame.ErrUnmaskedFrame))

	compressed := frame.Header{Fin: true, RSV1: true, Opcode: frame.OpText, Length: 5}
	fmt.Println(frame.Check(compressed, frame.Client, frame.State{}))
	fmt.Println(frame.Check(compressed, frame.Client, frame.State{RSV1: true})) // permessage-deflate agreed
	// Output:
	// <nil>
	// true
	// frame: reserved bit set without a negotiated extension
	// <nil>
}

// The payload of a close frame: the code in network byte order, then the
// reason.
func ExampleAppendClose() {
	payload := frame.AppendClose(nil, frame.StatusGoingAway, "restart")
	fmt.Printf("% x\n", payload)
	fmt.Printf("% x\n", frame.AppendClose(nil, frame.StatusNoStatusRcvd, "")) // encoded, though never to be sent
	// Output:
	// 03 e9 72 65 73 74 61 72 74
	// 03 ed
}

// CheckClose guards a close frame we are about to send.
func ExampleCheckClose() {
	fmt.Println(frame.CheckClose(frame.StatusNormalClosure, "bye"))
	fmt.Println(frame.CheckClose(frame.StatusAbnormalClosure, "")) // for reporting only
	fmt.Println(frame.CheckClose(4000, strings.Repeat("x", frame.MaxControlPayload-2)))
	fmt.Println(frame.CheckClose(4000, strings.Repeat("x", frame.MaxControlPayload-1)) != nil)
	// Output:
	// <nil>
	// frame: close code may not be sent: 1006
	// <nil>
	// true
}

// An Assembler follows a fragmented message through its headers: "Hel" and
// "lo" of RFC 6455 §5.7 with a ping between them, then a continuation that
// belongs to no message.
func ExampleAssembler() {
	a := frame.NewAssembler(1<<20, frame.State{})
	for _, h := range []frame.Header{
		{Opcode: frame.OpText, Length: 3},
		{Fin: true, Opcode: frame.OpPing, Length: 5},
		{Fin: true, Opcode: frame.OpContinuation, Length: 2},
		{Fin: true, Opcode: frame.OpContinuation, Length: 2},
	} {
		op, err := a.Frame(h)
		if err != nil {
			fmt.Println(h.Opcode, "->", err)
			continue
		}
		fmt.Println(h.Opcode, "->", op)
	}
	// Output:
	// text -> text
	// ping -> ping
	// continuation -> text
	// continuation -> frame: continuation frame without a message in progress
}

// NewAssembler's limit refuses a message from the length its frames declare,
// before any payload is read.
func ExampleNewAssembler() {
	a := frame.NewAssembler(100, frame.State{})
	_, err := a.Frame(frame.Header{Opcode: frame.OpBinary, Length: 60})
	fmt.Println(err)
	_, err = a.Frame(frame.Header{Fin: true, Opcode: frame.OpContinuation, Length: 60})
	fmt.Println(err, errors.Is(err, frame.ErrMessageTooBig))
	var pe *frame.ProtocolError
	if errors.As(err, &pe) {
		fmt.Println("close with", pe.Code)
	}
	// Output:
	// <nil>
	// frame: message too big true
	// close with 1009 message too big
}

// Compressed tells whether the message the frames belong to is compressed
// (permessage-deflate sets RSV1 on its first frame only).
func ExampleAssembler_Compressed() {
	a := frame.NewAssembler(1<<20, frame.State{RSV1: true})
	a.Frame(frame.Header{RSV1: true, Opcode: frame.OpText, Length: 10})
	a.Frame(frame.Header{Fin: true, Opcode: frame.OpContinuation, Length: 10})
	fmt.Println(a.Compressed())
	a.Frame(frame.Header{Fin: true, Opcode: frame.OpBinary, Length: 10})
	fmt.Println(a.Compressed())
	// Output:
	// true
	// false
}

// Frame refuses a new message that starts inside a fragmented one.
func ExampleAssembler_Frame() {
	a := frame.NewAssembler(-1, frame.State{})
	a.Frame(frame.Header{Opcode: frame.OpBinary, Length: 4})
	_, err := a.Frame(frame.Header{Fin: true, Opcode: frame.OpText, Length: 4})
	fmt.Println(err)
	op, err := a.Frame(frame.Header{Fin: true, Opcode: frame.OpContinuation, Length: 4}) // the state did not change
	fmt.Println(op, err)
	// Output:
	// frame: new data frame inside a fragmented message
	// binary <nil>
}

// SetLimit applies to the rest of a message in progress: what it declared
// already counts.
func ExampleAssembler_SetLimit() {
	a := frame.NewAssembler(-1, frame.State{})
	a.Frame(frame.Header{Opcode: frame.OpBinary, Length: 1000})
	a.SetLimit(1500)
	_, err := a.Frame(frame.Header{Opcode: frame.OpContinuation, Length: 400})
	fmt.Println(err)
	_, err = a.Frame(frame.Header{Fin: true, Opcode: frame.OpContinuation, Length: 101})
	fmt.Println(err)
	// Output:
	// <nil>
	// frame: message too big
}

// Opcodes name the frame types; the reserved ones are refused by Check.
func ExampleOpcode() {
	for _, op := range []frame.Opcode{frame.OpText, frame.OpClose, 0x3, 0xB} {
		fmt.Println(op, op.IsControl(), op.IsReserved())
	}
	// Output:
	// text false false
	// close true false
	// reserved(0x3) false true
	// reserved(0xb) true true
}

// A control frame may come between the fragments of a message.
func ExampleOpcode_IsControl() {
	for _, op := range []frame.Opcode{frame.OpContinuation, frame.OpBinary, frame.OpPing, frame.OpPong} {
		fmt.Println(op, op.IsControl())
	}
	// Output:
	// continuation false
	// binary false
	// ping true
	// pong true
}

func ExampleOpcode_IsReserved() {
	h, _, _ := frame.ParseHeader([]byte{0x83, 0x00}) // FIN, opcode 3, empty
	fmt.Println(h.Opcode.IsReserved(), frame.Check(h, frame.Client, frame.State{}))
	// Output: true frame: reserved opcode
}

func ExampleOpcode_String() {
	fmt.Println(frame.OpPing, frame.OpContinuation, frame.Opcode(0x7))
	// Output: ping continuation reserved(0x7)
}

// StatusCode is the code of a close frame.
func ExampleStatusCode() {
	code, reason, err := frame.ParseClose([]byte{0x03, 0xe8})
	fmt.Println(uint16(code), code == frame.StatusNormalClosure, reason == "", err)
	// Output: 1000 true true <nil>
}

func ExampleStatusCode_String() {
	for _, c := range []frame.StatusCode{frame.StatusMessageTooBig, frame.StatusTryAgainLater, 3001, 4001, 2000} {
		fmt.Println(c)
	}
	// Output:
	// 1009 message too big
	// 1013 try again later
	// 3001 registered
	// 4001 private use
	// 2000 unknown
}

// Which codes may go in a close frame (RFC 6455 §7.4).
func ExampleStatusCode_ValidOnWire() {
	for _, c := range []frame.StatusCode{1000, 1004, 1005, 1011, 1015, 2999, 3000, 4999, 5000} {
		fmt.Print(uint16(c), ":", c.ValidOnWire(), " ")
	}
	fmt.Println()
	// Output: 1000:true 1004:false 1005:false 1011:true 1015:false 2999:false 3000:true 4999:true 5000:false
}

// Every violation is a *ProtocolError that carries the close code to send.
func ExampleProtocolError() {
	var v frame.UTF8Validator
	v.Validate([]byte{0xc3}) // the first byte of a two-byte character
	err := v.Finish()        // the text ended inside it
	var pe *frame.ProtocolError
	if errors.As(err, &pe) {
		fmt.Println("fail the connection with", pe.Code)
	}
	fmt.Println(err == frame.ErrInvalidUTF8)
	// Output:
	// fail the connection with 1007 invalid frame payload data
	// true
}

func ExampleProtocolError_Error() {
	err := &frame.ProtocolError{Code: frame.StatusPolicyViolation, Reason: "too many pings"}
	fmt.Println(err)
	// Output: frame: too many pings
}

// The role decides which masking a frame must have.
func ExampleRole() {
	masked := frame.Header{Fin: true, Opcode: frame.OpBinary, Masked: true, Length: 1}
	for _, r := range []frame.Role{frame.Server, frame.Client} {
		fmt.Println(r, "receiving a masked frame:", frame.Check(masked, r, frame.State{}))
	}
	// Output:
	// server receiving a masked frame: <nil>
	// client receiving a masked frame: frame: masked frame from server
}

func ExampleRole_String() {
	fmt.Println(frame.Client, frame.Server)
	// Output: client server
}

// State says which RSV bits a negotiated extension claims: with
// permessage-deflate, RSV1 marks a compressed message.
func ExampleState() {
	h := frame.Header{Fin: true, RSV1: true, Opcode: frame.OpBinary, Length: 3}
	deflate := frame.State{RSV1: true}
	fmt.Println(frame.Check(h, frame.Client, deflate))
	h.RSV2 = true
	fmt.Println(frame.Check(h, frame.Client, deflate))
	// Output:
	// <nil>
	// frame: reserved bit set without a negotiated extension
}

// A Header describes a frame; ParseHeader waits for a whole one.
func ExampleHeader() {
	h := frame.Header{Fin: true, Opcode: frame.OpBinary, Length: 256}
	wire := frame.AppendHeader(nil, h)
	_, _, err := frame.ParseHeader(wire[:2]) // the 16-bit length has not arrived yet
	fmt.Println(err == frame.ErrShortHeader)
	got, n, err := frame.ParseHeader(wire)
	fmt.Println(got == h, n, err)
	// Output:
	// true
	// true 4 <nil>
}

// ReadHeader reads one header from a stream and nothing more: the payload is
// left for the caller.
func ExampleReadHeader() {
	r := bytes.NewReader([]byte{0x82, 0x03, 1, 2, 3}) // FIN, binary, 3 bytes
	buf := make([]byte, frame.MaxHeaderSize)
	h, err := frame.ReadHeader(r, buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	payload := make([]byte, h.Length)
	_, err = io.ReadFull(r, payload)
	fmt.Println(h.Opcode, payload, err)
	_, err = frame.ReadHeader(r, buf)
	fmt.Println(err)
	// Output:
	// binary [1 2 3] <nil>
	// EOF
}

// EventKind says what Parse found; EventNone asks for more bytes.
func ExampleEventKind() {
	p := frame.NewParser(frame.Client, frame.State{}, -1)
	var ev frame.Event
	pong := []byte{0x8a, 0x02, 'o', 'k'}
	for _, received := range [][]byte{pong[:3], pong} { // a control frame is taken whole
		n, err := p.Parse(received, &ev)
		fmt.Println(ev.Kind, n, err)
	}
	// Output:
	// none 0 <nil>
	// pong 4 <nil>
}

func ExampleEventKind_String() {
	fmt.Println(frame.EventData, frame.EventClose)
	// Output: data close
}

// An Event reports a message's payload as it arrives, with where it stands in
// its frame and message.
func ExampleEvent() {
	p := frame.NewParser(frame.Client, frame.State{}, -1)
	var ev frame.Event
	n, _ := p.Parse([]byte{0x82, 0x05, 1, 2}, &ev) // binary, 5 bytes, 2 arrived
	fmt.Printf("%s %s %v start=%v fin=%v more=%d n=%d\n", ev.Kind, ev.Type, ev.Payload, ev.Start, ev.Fin, ev.More, n)
	p.Parse([]byte{3, 4, 5}, &ev)
	fmt.Printf("%s %s %v start=%v fin=%v more=%d\n", ev.Kind, ev.Type, ev.Payload, ev.Start, ev.Fin, ev.More)
	// Output:
	// data binary [1 2] start=true fin=false more=3 n=4
	// data binary [3 4 5] start=false fin=true more=0
}

// NewParser makes the receiving half of one side: a server refuses the
// unmasked frames a client must never send.
func ExampleNewParser() {
	server := frame.NewParser(frame.Server, frame.State{}, 1<<20)
	var ev frame.Event
	_, err := server.Parse([]byte{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}, &ev)
	fmt.Println(err)
	_, err = server.Parse([]byte{0x81, 0x80, 0, 0, 0, 0}, &ev) // after a violation, every call fails
	fmt.Println(err)
	// Output:
	// frame: unmasked frame from client
	// frame: unmasked frame from client
}

// Parse is fed the bytes as they come; what it did not consume is given
// again with the next bytes.
func ExampleParser_Parse() {
	p := frame.NewParser(frame.Client, frame.State{}, 1<<20)
	var pending []byte
	var ev frame.Event
	for _, read := range [][]byte{{0x89}, {0x05, 'H', 'e'}, {'l', 'l', 'o', 0x81}, {0x00}} {
		pending = append(pending, read...)
		for {
			n, err := p.Parse(pending, &ev)
			if err != nil || ev.Kind == frame.EventNone {
				break
			}
			pending = pending[n:]
			fmt.Printf("%s %q\n", ev.Kind, ev.Payload)
		}
	}
	// Output:
	// ping "Hello"
	// data ""
}

// Remaining is how much of the current frame's payload the caller may read
// into its own memory.
func ExampleParser_Remaining() {
	p := frame.NewParser(frame.Client, frame.State{}, -1)
	var ev frame.Event
	p.Parse(frame.AppendHeader(nil, frame.Header{Fin: true, Opcode: frame.OpBinary, Length: 70000}), &ev)
	fmt.Println(p.Remaining())
	big := make([]byte, p.Remaining()) // read from the socket straight into it
	p.Payload(big, &ev)
	fmt.Println(p.Remaining(), ev.Fin)
	// Output:
	// 70000
	// 0 true
}

// SetLimit changes the size limit, for example after the handshake chose one.
func ExampleParser_SetLimit() {
	p := frame.NewParser(frame.Client, frame.State{}, -1)
	p.SetLimit(4)
	var ev frame.Event
	_, err := p.Parse([]byte{0x82, 0x05, 1, 2, 3, 4, 5}, &ev)
	fmt.Println(err)
	// Output: frame: message too big
}

// Validate takes text as it arrives; Finish says whether it ended whole.
func ExampleUTF8Validator_Validate() {
	var v frame.UTF8Validator
	euro := []byte("€") // e2 82 ac
	fmt.Println(v.Validate(euro[:1]))
	fmt.Println(v.Validate(euro[1:]))
	fmt.Println(v.Validate([]byte{'a', 0xff, 'b'}))
	// Output:
	// 1 <nil>
	// 2 <nil>
	// 1 frame: invalid UTF-8 in text
}

func ExampleUTF8Validator_Finish() {
	var v frame.UTF8Validator
	v.Validate([]byte("caf\xc3"))
	fmt.Println(v.Finish()) // ends inside "é"
	v.Validate([]byte("café"))
	fmt.Println(v.Finish()) // the validator is ready for the next message
	// Output:
	// frame: invalid UTF-8 in text
	// <nil>
}

// Reset drops a failed or unfinished stream, for a message that is abandoned.
func ExampleUTF8Validator_Reset() {
	var v frame.UTF8Validator
	v.Validate([]byte{0xff})
	v.Reset()
	fmt.Println(v.Validate([]byte("ok")))
	// Output: 2 <nil>
}
