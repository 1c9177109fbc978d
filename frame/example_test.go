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
