package frame_test

import (
	"fmt"

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
