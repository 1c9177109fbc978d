package spec

import (
	"bytes"
	"time"

	"github.com/seed865a0254/websocket/frame"
)

// Helpers that keep the catalogue readable: frames, steps, events and wants.

func text(s string) Frame { return Frame{Opcode: frame.OpText, Fin: true, Payload: []byte(s)} }

func bin(b []byte) Frame { return Frame{Opcode: frame.OpBinary, Fin: true, Payload: b} }

func cont(s string) Frame { return Frame{Opcode: frame.OpContinuation, Fin: true, Payload: []byte(s)} }

func ping(s string) Frame { return Frame{Opcode: frame.OpPing, Fin: true, Payload: []byte(s)} }

func pong(s string) Frame { return Frame{Opcode: frame.OpPong, Fin: true, Payload: []byte(s)} }

func opcode(op frame.Opcode, s string) Frame { return Frame{Opcode: op, Fin: true, Payload: []byte(s)} }

// closeWith is a close frame with a code and a reason, legal or not.
func closeWith(code frame.StatusCode, reason string) Frame {
	return Frame{Opcode: frame.OpClose, Fin: true, Payload: closePayload(code, reason)}
}

// closeEmpty is a close frame without a body.
func closeEmpty() Frame { return Frame{Opcode: frame.OpClose, Fin: true} }

// more clears FIN: more fragments follow.
func (f Frame) more() Frame { f.Fin = false; return f }

// rsv sets the reserved bits, numbered as in the testsuite (4 = RSV1).
func (f Frame) rsv(n uint8) Frame { f.RSV = n; return f }

// fragments cuts a text message into frames of at most size bytes.
func fragments(op frame.Opcode, payload []byte, size int) []Frame {
	var fs []Frame
	for off := 0; off < len(payload) || off == 0; off += size {
		f := Frame{Opcode: frame.OpContinuation, Payload: payload[off:min(off+size, len(payload))]}
		if off == 0 {
			f.Opcode = op
		}
		f.Fin = off+size >= len(payload)
		fs = append(fs, f)
	}
	return fs
}

func send(fs ...Frame) Step { return Step{Kind: Send, Frames: fs} }

func sendChopped(n int, fs ...Frame) Step { return Step{Kind: Send, Frames: fs, Chop: n} }

func sendSync(fs ...Frame) Step { return Step{Kind: Send, Frames: fs, Sync: true} }

func sendHeader(f Frame) Step { return Step{Kind: SendHeader, Frames: []Frame{f}} }

func sendData(b []byte) Step { return Step{Kind: SendData, Data: b} }

func pause(d time.Duration) Step { return Step{Kind: Pause, Wait: d} }

func quiet(d time.Duration) Step { return Step{Kind: Quiet, Wait: d} }

func expect(es ...Event) Step { return Step{Kind: Expect, Events: es} }

func awaitClose() Step { return Step{Kind: AwaitClose} }

func sendCompressed(fs ...Frame) Step { return Step{Kind: SendCompressed, Frames: fs} }

// sendCompressedIn sends messages compressed, in frames of at most n
// compressed bytes.
func sendCompressedIn(n int, fs ...Frame) Step {
	return Step{Kind: SendCompressed, Frames: fs, Fragment: n}
}

// deflate compresses p as one message on its own (RFC 7692 §7.2.1), for
// frames written by hand. Its back-references stay within p, so it is valid
// under any window of at least len(p) bytes. Under context takeover the
// peer's compressor does not know of it: a case that goes on sending
// compressed messages after it must not rely on their shared window.
func deflate(p []byte) []byte {
	z := deflater{dir: direction{takeover: false, bits: 15}}
	return z.compress(p)
}

func echoText(s string) Event { return Event{Kind: Message, Type: frame.OpText, Data: []byte(s)} }

func echoBinary(b []byte) Event { return Event{Kind: Message, Type: frame.OpBinary, Data: b} }

func pongOf(s string) Event { return Event{Kind: Pong, Data: []byte(s)} }

// echoOf is the echo of a message of type op.
func echoOf(op frame.Opcode, b []byte) Event { return Event{Kind: Message, Type: op, Data: b} }

// deflated marks an expected message as arriving compressed.
func (e Event) deflated() Event { e.Compressed = true; return e }

// echoes wants events, then a clean closing handshake started by the peer,
// answered with 1000.
func echoes(es ...Event) Want {
	return Want{Events: es, Closer: Peer, Codes: []frame.StatusCode{frame.StatusNormalClosure}}
}

// answers wants the endpoint's reply to the peer's close frame: a close with
// one of codes (1005: empty payload).
func answers(codes ...frame.StatusCode) Want { return Want{Closer: Peer, Codes: codes} }

// fails wants the endpoint to fail the connection with one of codes.
func fails(codes ...frame.StatusCode) Want { return Want{Closer: Endpoint, Codes: codes} }

// failsAfter wants events, then the endpoint failing the connection.
func failsAfter(es []Event, codes ...frame.StatusCode) Want {
	return Want{Events: es, Closer: Endpoint, Codes: codes}
}

// failsLingering wants the endpoint to fail the connection with one of codes
// while the peer, stuck inside a frame it will never finish, neither answers
// nor closes: the endpoint must drop the connection by itself.
func failsLingering(codes ...frame.StatusCode) Want {
	return Want{Closer: Endpoint, Codes: codes, Linger: true}
}

// lingering configures the endpoint for a Linger case: its closing handshake
// gives up well within the peer's dropTimeout.
var lingering = Settings{CloseTimeout: 500 * time.Millisecond}

const (
	protocolError = frame.StatusProtocolError
	invalidData   = frame.StatusInvalidFramePayloadData
	tooBig        = frame.StatusMessageTooBig
	normal        = frame.StatusNormalClosure
	noStatus      = frame.StatusNoStatusRcvd // stands for an empty close payload
)

// repeat returns n copies of the byte c.
func repeat(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }
