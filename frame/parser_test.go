package frame

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The first byte of the frames below: FIN, RSV1–3 and the opcode.
const (
	finText   = 0x81 // FIN, text
	finBinary = 0x82 // FIN, binary
	finCont   = 0x80 // FIN, continuation
	fragText  = 0x01 // text, more fragments follow
	fragBin   = 0x02 // binary, more fragments follow
	fragCont  = 0x00 // continuation, more fragments follow
	finClose  = 0x88
	finPing   = 0x89
	finPong   = 0x8a
)

// The masking keys of the test frames: the one of RFC 6455 §5.7, and a
// second one so that a frame that reused the first frame's key position
// would come out wrong.
var (
	key57 = [4]byte{0x37, 0xfa, 0x21, 0x3d}
	key2  = [4]byte{0x01, 0x80, 0x55, 0xfe}
)

// wireFrame returns a frame whose first byte is b0, payload masked with key
// when masked is set.
func wireFrame(b0 byte, masked bool, key [4]byte, payload string) []byte {
	h := Header{
		Fin: b0&bitFin != 0, RSV1: b0&bitRSV1 != 0, RSV2: b0&bitRSV2 != 0, RSV3: b0&bitRSV3 != 0,
		Opcode: Opcode(b0 & 0x0f), Masked: masked, Key: key, Length: int64(len(payload)),
	}
	b := AppendHeader(nil, h)
	p := []byte(payload)
	if masked {
		Mask(key, 0, p)
	}
	return append(b, p...)
}

// clientFrame is a frame as a client sends it: masked (with key57).
func clientFrame(b0 byte, payload string) []byte { return wireFrame(b0, true, key57, payload) }

// serverFrame is a frame as a server sends it: unmasked.
func serverFrame(b0 byte, payload string) []byte { return wireFrame(b0, false, [4]byte{}, payload) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// The events a frame gives, its chunks merged (see collector).
func dataMsg(typ Opcode, s string) Event {
	return Event{Kind: EventData, Type: typ, Payload: []byte(s), Start: true, Last: true, Fin: true}
}
func dataFirst(typ Opcode, s string) Event {
	return Event{Kind: EventData, Type: typ, Payload: []byte(s), Start: true}
}
func dataMiddle(typ Opcode, s string) Event {
	return Event{Kind: EventData, Type: typ, Payload: []byte(s)}
}
func dataFinal(typ Opcode, s string) Event {
	return Event{Kind: EventData, Type: typ, Payload: []byte(s), Last: true, Fin: true}
}
func pingEv(s string) Event { return Event{Kind: EventPing, Payload: []byte(s)} }
func pongEv(s string) Event { return Event{Kind: EventPong, Payload: []byte(s)} }
func closeEv(code StatusCode, reason string) Event {
	var payload []byte
	if code != StatusNoStatusRcvd {
		payload = AppendClose(nil, code, reason)
	}
	return Event{Kind: EventClose, Payload: payload, Code: code, Reason: reason}
}

// collector gathers events for comparison. The chunks of one frame are
// merged into one event, so that the same bytes split differently give the
// same list; the payloads are copied, since they alias the input.
type collector struct {
	t      testing.TB
	events []Event
	raw    int // events before merging
}

func (c *collector) add(ev Event) {
	c.t.Helper()
	c.raw++
	if ev.Kind == EventData && ev.More < 0 {
		c.t.Fatalf("negative More: %+v", ev)
	}
	ev.Payload = bytes.Clone(ev.Payload)
	if n := len(c.events); n > 0 && c.events[n-1].Kind == EventData && c.events[n-1].More > 0 {
		// The frame in progress: only its data may come next.
		last := &c.events[n-1]
		if ev.Kind != EventData || ev.Start || ev.Type != last.Type || ev.Last != last.Last || ev.Compressed ||
			ev.More != last.More-int64(len(ev.Payload)) {
			c.t.Fatalf("event %+v does not continue the frame of %+v", ev, *last)
		}
		last.Payload = append(last.Payload, ev.Payload...)
		last.More, last.Fin = ev.More, ev.Fin
		return
	}
	c.events = append(c.events, ev)
}

// fail ends the list with err. A frame whose payload was only partly given
// out is dropped: fed all at once, the bytes that fail a frame are seen
// together with the ones before them, which therefore never come out.
func (c *collector) fail(err error) ([]Event, error) {
	if n := len(c.events); n > 0 && c.events[n-1].Kind == EventData && c.events[n-1].More > 0 {
		c.events = c.events[:n-1]
	}
	if len(c.events) == 0 {
		return nil, err // as if nothing had come out
	}
	return c.events, err
}

// feedParser gives in to p the way a connection would: pieces of the given
// sizes arrive one after another (then the rest at once), and after each the
// parser takes all it can from the bytes not yet consumed. With viaPayload,
// Parse is given at most a header's worth of bytes and the payload goes
// through Remaining and Payload, copied into the caller's own memory first.
// It returns the events, merged per frame, and the first error.
func feedParser(t testing.TB, p Parser, in []byte, pieces []int, viaPayload bool) ([]Event, error) {
	t.Helper()
	c := collector{t: t}
	return c.feed(p, in, pieces, viaPayload)
}

// feed is feedParser, collecting into c.
func (c *collector) feed(p Parser, in []byte, pieces []int, viaPayload bool) ([]Event, error) {
	t := c.t
	t.Helper()
	data := bytes.Clone(in)
	off, end := 0, 0
	for i := 0; i <= len(pieces); i++ {
		if i < len(pieces) {
			end = min(end+max(pieces[i], 0), len(data))
		} else {
			end = len(data)
		}
		for {
			if viaPayload && p.Remaining() > 0 && off < end {
				k := int(min(int64(end-off), p.Remaining()))
				ev, err := payloadOne(&p, bytes.Clone(data[off:off+k]))
				if err != nil {
					return c.fail(err)
				}
				c.add(ev)
				off += k
				continue
			}
			b := data[off:end]
			if viaPayload {
				b = b[:min(len(b), MaxHeaderSize)]
			}
			ev, n, err := parseOne(&p, b)
			if err == nil && ev.Kind == EventNone && n == 0 && len(b) < end-off {
				// Nothing in a header's worth: a control frame waiting for
				// its payload. Give it everything.
				b = data[off:end]
				ev, n, err = parseOne(&p, b)
			}
			if err != nil {
				if n != 0 || ev.Kind != EventNone {
					t.Fatalf("Parse returned %d bytes and %+v with error %v", n, ev, err)
				}
				var pe *ProtocolError
				if !errors.As(err, &pe) {
					t.Fatalf("error %v is no *ProtocolError", err)
				}
				if _, n2, err2 := parseOne(&p, data[off:]); err2 != err || n2 != 0 {
					t.Fatalf("error not sticky: %d, %v after %v", n2, err2, err)
				}
				return c.fail(err)
			}
			if n < 0 || n > len(b) {
				t.Fatalf("Parse consumed %d of %d bytes", n, len(b))
			}
			off += n
			if ev.Kind == EventNone {
				if n == 0 {
					break // more bytes needed
				}
				continue
			}
			if n == 0 {
				t.Fatalf("event %+v without consuming a byte", ev)
			}
			c.add(ev)
		}
	}
	return c.events, nil
}

// TestFeedParser checks the helper: byte by byte, "Hello" comes as its
// header and then one byte at a time, through Parse and through Payload.
func TestFeedParser(t *testing.T) {
	in := clientFrame(finText, "Hello")
	for _, viaPayload := range []bool{false, true} {
		c := collector{t: t}
		got, err := c.feed(NewParser(Server, State{}, -1), in, splits(in)["byte by byte"], viaPayload)
		if err != nil || c.raw != 6 {
			t.Fatalf("Payload %v: %d events before merging, error %v; want 6", viaPayload, c.raw, err)
		}
		if d := cmp.Diff([]Event{dataMsg(OpText, "Hello")}, got, eventCmp); d != "" {
			t.Fatalf("Payload %v (-want +got):\n%s", viaPayload, d)
		}
	}
}

// parseTest is one case of the tables below: the bytes a peer sends and the
// events (merged per frame) and error they must give, however they are split.
type parseTest struct {
	name  string
	role  Role  // 0: Server
	st    State // extensions
	limit int64 // 0: no limit
	in    []byte
	want  []Event
	err   error
}

func (tt parseTest) parser() Parser {
	role, limit := tt.role, tt.limit
	if role == 0 {
		role = Server
	}
	if limit == 0 {
		limit = -1
	}
	return NewParser(role, tt.st, limit)
}

// splits returns the ways to cut in into pieces: all at once, in two at every
// position (a sample of them for long inputs), one byte at a time.
func splits(in []byte) map[string][]int {
	s := map[string][]int{"at once": nil}
	for i := 1; i < len(in); i++ {
		if len(in) <= 1024 || i < 40 || i > len(in)-40 || i%251 == 0 {
			s[fmt.Sprintf("split at %d", i)] = []int{i}
		}
	}
	ones := make([]int, len(in))
	for i := range ones {
		ones[i] = 1
	}
	s["byte by byte"] = ones
	return s
}

// eventCmp compares payloads as bytes (nil and empty alike) at once, rather
// than element by element, which takes minutes for the 64KiB frames.
var eventCmp = cmp.Comparer(func(a, b []byte) bool { return bytes.Equal(a, b) })

func runParseTests(t *testing.T, tests []parseTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for how, pieces := range splits(tt.in) {
				for _, viaPayload := range []bool{false, true} {
					got, err := feedParser(t, tt.parser(), tt.in, pieces, viaPayload)
					if err != tt.err {
						t.Errorf("%s (Payload: %v): error %v, want %v", how, viaPayload, err, tt.err)
					}
					if d := cmp.Diff(tt.want, got, eventCmp); d != "" {
						t.Fatalf("%s (Payload: %v): events (-want +got):\n%s", how, viaPayload, d)
					}
				}
			}
		})
	}
}

// RFC 6455 §5.7 examples, received by the side they are meant for.
func TestParseExamples(t *testing.T) {
	runParseTests(t, []parseTest{
		{
			name: "a single-frame unmasked text message (5.7)",
			role: Client,
			in:   []byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f},
			want: []Event{dataMsg(OpText, "Hello")},
		},
		{
			name: "a single-frame masked text message (5.7)",
			in:   []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
			want: []Event{dataMsg(OpText, "Hello")},
		},
		{
			name: "a fragmented unmasked text message (5.7)",
			role: Client,
			in:   []byte{0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f},
			want: []Event{dataFirst(OpText, "Hel"), dataFinal(OpText, "lo")},
		},
		{
			name: "unmasked ping (5.7)",
			role: Client,
			in:   []byte{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f},
			want: []Event{pingEv("Hello")},
		},
		{
			name: "masked pong in answer to it (5.7)",
			in:   []byte{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58},
			want: []Event{pongEv("Hello")},
		},
		{
			name: "256 bytes of binary data in a single unmasked frame (5.7)",
			role: Client,
			in:   cat([]byte{0x82, 0x7e, 0x01, 0x00}, seq(256)),
			want: []Event{{Kind: EventData, Type: OpBinary, Payload: seq(256), Start: true, Last: true, Fin: true}},
		},
		{
			name: "64KiB binary data in a single unmasked frame (5.7)",
			role: Client,
			in:   cat([]byte{0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0, 0}, seq(65536)),
			want: []Event{{Kind: EventData, Type: OpBinary, Payload: seq(65536), Start: true, Last: true, Fin: true}},
		},
	})
}

// RFC 6455 §5.1 and §5.3: clients mask, servers do not.
func TestParseMasking(t *testing.T) {
	long := strings.Repeat("masking keys rotate; ", 15)
	runParseTests(t, []parseTest{
		{
			name: "a server fails the connection on an unmasked frame (5.1)",
			in:   serverFrame(finText, "Hello"),
			err:  ErrUnmaskedFrame,
		},
		{
			name: "a server fails the connection on an unmasked control frame (5.1)",
			in:   serverFrame(finPing, ""),
			err:  ErrUnmaskedFrame,
		},
		{
			name: "a client fails the connection on a masked frame (5.1)",
			role: Client,
			in:   clientFrame(finText, "Hello"),
			err:  ErrMaskedFrame,
		},
		{
			name: "a client fails the connection on a masked control frame (5.1)",
			role: Client,
			in:   clientFrame(finPong, "x"),
			err:  ErrMaskedFrame,
		},
		{
			name: "the key applies from payload byte 0 of each frame, across chunks (5.3)",
			in: cat(wireFrame(fragText, true, key57, long), wireFrame(finPing, true, key2, "ping"),
				wireFrame(finCont, true, key2, long)),
			want: []Event{dataFirst(OpText, long), pingEv("ping"), dataFinal(OpText, long)},
		},
		{
			name: "a mask with a zero key is still a mask (5.3)",
			in:   wireFrame(finBinary, true, [4]byte{}, "\x00\xff"),
			want: []Event{dataMsg(OpBinary, "\x00\xff")},
		},
	})
}

// RFC 6455 §5.2: the header.
func TestParseHeaderRules(t *testing.T) {
	huge := func(n uint64) []byte {
		return cat([]byte{0x82, 0xff, byte(n >> 56), byte(n >> 48), byte(n >> 40), byte(n >> 32),
			byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, key57[:], []byte("abc"))
	}
	runParseTests(t, []parseTest{
		{name: "RSV1 without a negotiated extension fails (5.2)", in: clientFrame(finText|bitRSV1, "x"), err: ErrReservedBits},
		{name: "RSV2 without a negotiated extension fails (5.2)", in: clientFrame(finText|bitRSV2, "x"), err: ErrReservedBits},
		{name: "RSV3 without a negotiated extension fails (5.2)", in: clientFrame(finText|bitRSV3, "x"), err: ErrReservedBits},
		{
			name: "RSV1 claimed by permessage-deflate marks a compressed message (RFC 7692 6)",
			st:   State{RSV1: true},
			in:   cat(clientFrame(fragText|bitRSV1, "\xff"), clientFrame(finCont, "\xfe"), clientFrame(finBinary, "y")),
			// Compressed text is checked as UTF-8 once inflated, not here.
			want: []Event{
				{Kind: EventData, Type: OpText, Payload: []byte("\xff"), Start: true, Compressed: true},
				dataFinal(OpText, "\xfe"),
				dataMsg(OpBinary, "y"),
			},
		},
		{
			name: "RSV1 on a continuation frame fails under permessage-deflate (RFC 7692 6)",
			st:   State{RSV1: true},
			in:   cat(clientFrame(fragBin|bitRSV1, "x"), clientFrame(finCont|bitRSV1, "y")),
			want: []Event{{Kind: EventData, Type: OpBinary, Payload: []byte("x"), Start: true, Compressed: true}},
			err:  ErrReservedBits,
		},
		{
			name: "RSV1 on a control frame fails under permessage-deflate (RFC 7692 6)",
			st:   State{RSV1: true},
			in:   clientFrame(finPing|bitRSV1, ""),
			err:  ErrReservedBits,
		},
		{name: "a reserved data opcode fails (5.2)", in: clientFrame(0x83, ""), err: ErrReservedOpcode},
		{name: "a reserved control opcode fails (5.2)", in: clientFrame(0x8b, ""), err: ErrReservedOpcode},
		{
			name: "a 7-bit length of 125 (5.2)",
			in:   clientFrame(finBinary, strings.Repeat("7", 125)),
			want: []Event{dataMsg(OpBinary, strings.Repeat("7", 125))},
		},
		{
			name: "a 16-bit length of 126 (5.2)",
			in:   clientFrame(finBinary, strings.Repeat("6", 126)),
			want: []Event{dataMsg(OpBinary, strings.Repeat("6", 126))},
		},
		{
			name: "a 64-bit length of 65536 (5.2)",
			in:   clientFrame(finBinary, strings.Repeat("8", 65536)),
			want: []Event{dataMsg(OpBinary, strings.Repeat("8", 65536))},
		},
		{
			name: "a 64-bit length with the most significant bit set fails (5.2)",
			in:   cat([]byte{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0x01}, key57[:]),
			err:  ErrLengthOverflow,
		},
		{
			name: "a header announcing 2^40 bytes gives the few that came (5.2)",
			in:   huge(1 << 40),
			want: []Event{{Kind: EventData, Type: OpBinary, Payload: maskedText(key57, "abc"), Start: true, Last: true, More: 1<<40 - 3}},
		},
		{
			name: "a header announcing 2^63-1 bytes gives the few that came (5.2)",
			in:   huge(math.MaxInt64),
			want: []Event{{Kind: EventData, Type: OpBinary, Payload: maskedText(key57, "abc"), Start: true, Last: true, More: math.MaxInt64 - 3}},
		},
	})
}

// maskedText returns s masked with key from position 0: what a payload comes
// out as when the test wrote it unmasked on a masked frame. Masking twice
// restores it.
func maskedText(key [4]byte, s string) []byte {
	b := []byte(s)
	Mask(key, 0, b)
	return b
}

// RFC 6455 §5.4: fragmentation.
func TestParseFragmentation(t *testing.T) {
	runParseTests(t, []parseTest{
		{
			name: "a continuation frame without a message in progress fails (5.4)",
			in:   clientFrame(finCont, "x"),
			err:  ErrUnexpectedContinuation,
		},
		{
			name: "a continuation frame after a finished message fails (5.4)",
			in:   cat(clientFrame(finText, "a"), clientFrame(finCont, "b")),
			want: []Event{dataMsg(OpText, "a")},
			err:  ErrUnexpectedContinuation,
		},
		{
			name: "a new data frame inside a fragmented message fails (5.4)",
			in:   cat(clientFrame(fragText, "a"), clientFrame(finBinary, "b")),
			want: []Event{dataFirst(OpText, "a")},
			err:  ErrExpectedContinuation,
		},
		{
			name: "control frames may come between fragments (5.4)",
			in: cat(clientFrame(fragText, "Hel"), clientFrame(finPing, "1"), clientFrame(fragCont, ""),
				clientFrame(finPong, "2"), clientFrame(finCont, "lo")),
			want: []Event{dataFirst(OpText, "Hel"), pingEv("1"), dataMiddle(OpText, ""), pongEv("2"), dataFinal(OpText, "lo")},
		},
		{
			name: "continuation frames carry the message's type (5.4)",
			in:   cat(clientFrame(fragBin, "\xff"), clientFrame(fragCont, "\xfe"), clientFrame(finCont, "\xfd")),
			want: []Event{dataFirst(OpBinary, "\xff"), dataMiddle(OpBinary, "\xfe"), dataFinal(OpBinary, "\xfd")},
		},
		{
			name: "empty frames make an empty message (5.4)",
			in:   cat(clientFrame(fragText, ""), clientFrame(finCont, ""), clientFrame(finBinary, "")),
			want: []Event{dataFirst(OpText, ""), dataFinal(OpText, ""), dataMsg(OpBinary, "")},
		},
	})
}

// RFC 6455 §5.5: control frames.
func TestParseControlFrames(t *testing.T) {
	runParseTests(t, []parseTest{
		{
			name: "pong echoes nothing: ping payload is returned unmasked (5.5.2)",
			in:   clientFrame(finPing, "are you there?"),
			want: []Event{pingEv("are you there?")},
		},
		{
			name: "an empty ping (5.5.2)",
			in:   clientFrame(finPing, ""),
			want: []Event{pingEv("")},
		},
		{
			name: "an unsolicited pong is accepted (5.5.3)",
			in:   cat(clientFrame(finPong, "heartbeat"), clientFrame(finText, "ok")),
			want: []Event{pongEv("heartbeat"), dataMsg(OpText, "ok")},
		},
		{
			name: "a ping of 125 bytes (5.5)",
			in:   clientFrame(finPing, strings.Repeat("p", 125)),
			want: []Event{pingEv(strings.Repeat("p", 125))},
		},
		{
			name: "a ping of 126 bytes fails (5.5)",
			in:   clientFrame(finPing, strings.Repeat("p", 126)),
			err:  ErrControlTooLong,
		},
		{
			name: "a close of 126 bytes fails (5.5)",
			in:   clientFrame(finClose, "\x03\xe8"+strings.Repeat("r", 124)),
			err:  ErrControlTooLong,
		},
		{
			name: "a fragmented ping fails (5.5)",
			in:   cat(clientFrame(0x09, "a"), clientFrame(finCont, "b")),
			err:  ErrControlFragmented,
		},
		{
			name: "a control frame's length is judged before its payload arrives (5.5)",
			in:   clientFrame(finPong, strings.Repeat("p", 126))[:8],
			err:  ErrControlTooLong,
		},
	})
}

// RFC 6455 §5.5.1: close.
func TestParseCloseFrames(t *testing.T) {
	runParseTests(t, []parseTest{
		{
			name: "a close carries a code and a reason (5.5.1)",
			in:   clientFrame(finClose, "\x03\xe8bye"),
			want: []Event{closeEv(StatusNormalClosure, "bye")},
		},
		{
			name: "an empty close reports 1005 (5.5.1, 7.1.5)",
			role: Client,
			in:   serverFrame(finClose, ""),
			want: []Event{closeEv(StatusNoStatusRcvd, "")},
		},
		{
			name: "a close of one byte fails (5.5.1)",
			in:   clientFrame(finClose, "\x03"),
			err:  ErrCloseTooShort,
		},
		{
			name: "a close with code 1005 fails (7.4.1)",
			in:   clientFrame(finClose, "\x03\xed"),
			err:  ErrInvalidCloseCode,
		},
		{
			name: "a close with code 999 fails (7.4.2)",
			in:   clientFrame(finClose, "\x03\xe7"),
			err:  ErrInvalidCloseCode,
		},
		{
			name: "a close reason that is not UTF-8 fails (5.5.1)",
			in:   clientFrame(finClose, "\x03\xe8\xc0\xaf"),
			err:  ErrInvalidCloseReason,
		},
		{
			name: "a close may come between fragments (5.4)",
			in:   cat(clientFrame(fragText, "a"), clientFrame(finClose, "\x0f\xa0")),
			want: []Event{dataFirst(OpText, "a"), closeEv(4000, "")},
		},
		{
			name: "after a close nothing is processed (1.4, 5.5.1)",
			in: cat(clientFrame(finClose, "\x03\xe9"), clientFrame(finText, "late"),
				clientFrame(0x83, ""), serverFrame(finCont, "\xff")),
			want: []Event{closeEv(StatusGoingAway, "")},
		},
	})
}

// RFC 6455 §5.6 and §8.1: text is UTF-8, checked as it arrives.
func TestParseUTF8(t *testing.T) {
	runParseTests(t, []parseTest{
		{
			name: "a character split across frames is valid (5.6)",
			in:   cat(clientFrame(fragText, "1 \xe2\x82"), clientFrame(fragCont, ""), clientFrame(finCont, "\xac")),
			want: []Event{dataFirst(OpText, "1 \xe2\x82"), dataMiddle(OpText, ""), dataFinal(OpText, "\xac")},
		},
		{
			name: "text fails at the first impossible byte, in the next frame (8.1)",
			in:   cat(clientFrame(fragText, "ok \xf4"), clientFrame(finCont, "\x90\x80\x80 never seen")),
			want: []Event{dataFirst(OpText, "ok \xf4")},
			err:  ErrInvalidUTF8,
		},
		{
			name: "text fails at the first impossible byte, with a control frame in between (8.1)",
			in:   cat(clientFrame(fragText, "\xed"), clientFrame(finPing, ""), clientFrame(finCont, "\xa0\x80")),
			want: []Event{dataFirst(OpText, "\xed"), pingEv("")},
			err:  ErrInvalidUTF8,
		},
		{
			name: "text that fails is not given out, even before the bad byte (8.1)",
			in:   clientFrame(finText, "good so far \xff"),
			err:  ErrInvalidUTF8,
		},
		{
			name: "a text message may not end inside a sequence (5.6)",
			in:   clientFrame(finText, "\xe2\x82"),
			err:  ErrInvalidUTF8,
		},
		{
			name: "an empty final frame ends a message inside a sequence (5.6)",
			in:   cat(clientFrame(fragText, "\xf0\x9f\x98"), clientFrame(finCont, "")),
			want: []Event{dataFirst(OpText, "\xf0\x9f\x98")},
			err:  ErrInvalidUTF8,
		},
		{
			name: "each message is checked on its own (5.6)",
			in:   cat(clientFrame(finText, "\xce\xba"), clientFrame(finText, "\xcf\x8c")),
			want: []Event{dataMsg(OpText, "\xce\xba"), dataMsg(OpText, "\xcf\x8c")},
		},
		{
			name: "binary messages are not UTF-8 (5.6)",
			in:   clientFrame(finBinary, "\xff\xfe\xc0"),
			want: []Event{dataMsg(OpBinary, "\xff\xfe\xc0")},
		},
	})
}

// RFC 6455 §10.4 and §7.4.1 (1009): the size limit, judged on declared
// lengths before any payload is read.
func TestParseLimit(t *testing.T) {
	runParseTests(t, []parseTest{
		{
			name:  "a message at the limit (10.4)",
			limit: 10,
			in:    clientFrame(finText, "0123456789"),
			want:  []Event{dataMsg(OpText, "0123456789")},
		},
		{
			name:  "a frame over the limit fails from its header alone (10.4)",
			limit: 10,
			in:    clientFrame(finText, "0123456789x")[:6],
			err:   ErrMessageTooBig,
		},
		{
			name:  "fragments count together (10.4)",
			limit: 10,
			in:    cat(clientFrame(fragBin, "012345"), clientFrame(finPing, "control frames do not count"), clientFrame(finCont, "6789x")),
			want:  []Event{dataFirst(OpBinary, "012345"), pingEv("control frames do not count")},
			err:   ErrMessageTooBig,
		},
		{
			name:  "a header announcing 2^63-1 bytes fails (10.4)",
			limit: 1 << 20,
			in:    cat([]byte{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, key57[:]),
			err:   ErrMessageTooBig,
		},
	})
}

func TestParseSetLimit(t *testing.T) {
	p := NewParser(Server, State{}, -1)
	in := cat(clientFrame(fragBin, "0123"), clientFrame(fragCont, "45"), clientFrame(finCont, "6"))
	ev, n, err := parseOne(&p, in)
	if err != nil || ev.Kind != EventData || n != 10 {
		t.Fatalf("first fragment: %+v, %d, %v", ev, n, err)
	}
	// The first fragment counts against the new limit.
	p.SetLimit(6)
	ev, m, err := parseOne(&p, in[n:])
	if err != nil || ev.Kind != EventData || m != 8 {
		t.Fatalf("second fragment: %+v, %d, %v", ev, m, err)
	}
	if _, _, err := parseOne(&p, in[n+m:]); err != ErrMessageTooBig {
		t.Fatalf("third fragment, 7 bytes under a limit of 6: %v, want ErrMessageTooBig", err)
	}
}

func TestParseStickyError(t *testing.T) {
	p := NewParser(Server, State{}, -1)
	bad := clientFrame(0x83, "")
	if _, _, err := parseOne(&p, bad); err != ErrReservedOpcode {
		t.Fatalf("Parse = %v, want ErrReservedOpcode", err)
	}
	good := clientFrame(finText, "fine")
	for range 2 {
		if ev, n, err := parseOne(&p, good); err != ErrReservedOpcode || n != 0 || ev.Kind != EventNone {
			t.Fatalf("Parse after an error = %+v, %d, %v", ev, n, err)
		}
		if _, err := payloadOne(&p, []byte("x")); err != ErrReservedOpcode {
			t.Fatalf("Payload after an error = %v", err)
		}
	}
	var pe *ProtocolError
	if _, _, err := parseOne(&p, nil); !errors.As(err, &pe) || pe.Code != StatusProtocolError {
		t.Fatalf("error %v does not carry code 1002", err)
	}
}

// Parse gives out what it has, and says how much is to come.
func TestParsePartialFrame(t *testing.T) {
	p := NewParser(Server, State{}, -1)
	in := clientFrame(finBinary, "0123456789")
	want := []struct {
		in   []byte
		ev   Event
		n    int
		left int64
	}{
		{in[:1], Event{}, 0, 0},                  // half a header: nothing
		{in[:6], dataFirst(OpBinary, ""), 6, 10}, // a header: the start, and the length to come
		{in[6:6], Event{}, 0, 10},                // nothing to give
		{in[6:9], Event{Kind: EventData, Type: OpBinary, Payload: []byte("012"), Last: true, More: 7}, 3, 7},
		{in[9:], dataFinal(OpBinary, "3456789"), 7, 0},
	}
	want[1].ev.Last, want[1].ev.More = true, 10
	for i, w := range want {
		ev, n, err := parseOne(&p, w.in)
		if err != nil || n != w.n || p.Remaining() != w.left {
			t.Fatalf("step %d: n=%d err=%v Remaining=%d; want n=%d Remaining=%d", i, n, err, p.Remaining(), w.n, w.left)
		}
		if d := cmp.Diff(w.ev, ev, eventCmp); d != "" {
			t.Fatalf("step %d (-want +got):\n%s", i, d)
		}
	}
}

func TestParsePayload(t *testing.T) {
	p := NewParser(Client, State{}, -1)
	if _, err := payloadOne(&p, []byte("x")); err == nil || errors.As(err, new(*ProtocolError)) {
		t.Fatalf("Payload at a frame boundary = %v, want a plain error", err)
	}
	in := serverFrame(finText, "Hello")
	if _, n, err := parseOne(&p, in[:2]); n != 2 || err != nil || p.Remaining() != 5 {
		t.Fatalf("header: %d, %v, Remaining %d", n, err, p.Remaining())
	}
	for _, b := range [][]byte{nil, []byte("Hello!")} {
		if _, err := payloadOne(&p, b); err == nil || errors.As(err, new(*ProtocolError)) {
			t.Fatalf("Payload(%q) with 5 bytes left = %v, want a plain error", b, err)
		}
	}
	if p.Remaining() != 5 {
		t.Fatalf("a refused Payload changed Remaining to %d", p.Remaining())
	}
	ev, err := payloadOne(&p, []byte("Hell"))
	if err != nil || ev.More != 1 || ev.Fin {
		t.Fatalf("Payload(Hell) = %+v, %v", ev, err)
	}
	ev, err = payloadOne(&p, []byte("o"))
	if d := cmp.Diff(dataFinal(OpText, "o"), ev, eventCmp); err != nil || d != "" {
		t.Fatalf("Payload(o): %v (-want +got):\n%s", err, d)
	}
	if _, err := payloadOne(&p, []byte("x")); err != errPayloadBoundary {
		t.Fatalf("Payload after the frame = %v", err)
	}
}

func TestParseInvalidRole(t *testing.T) {
	var p Parser
	if _, n, err := parseOne(&p, clientFrame(finText, "x")); err == nil || n != 0 || errors.As(err, new(*ProtocolError)) {
		t.Fatalf("zero Parser: %d, %v; want a plain error", n, err)
	}
}

func TestEventKindString(t *testing.T) {
	for k, want := range map[EventKind]string{
		EventNone: "none", EventData: "data", EventPing: "ping", EventPong: "pong", EventClose: "close", 9: "EventKind(9)",
	} {
		if got := k.String(); got != want {
			t.Errorf("EventKind(%d).String() = %q, want %q", uint8(k), got, want)
		}
	}
}

func TestParseAllocs(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		kind EventKind
	}{
		{"masked text frame", clientFrame(finText, strings.Repeat("no allocation ", 50)), EventData},
		{"masked ping", clientFrame(finPing, "ping"), EventPing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := make([]byte, len(tt.in))
			allocs := testing.AllocsPerRun(100, func() {
				copy(buf, tt.in) // unmasking works in place
				p := NewParser(Server, State{}, 1<<20)
				ev, n, err := parseOne(&p, buf)
				if err != nil || n != len(buf) || ev.Kind != tt.kind {
					t.Fatalf("Parse = %+v, %d, %v", ev, n, err)
				}
			})
			if allocs != 0 {
				t.Fatalf("%v allocations per Parse, want 0", allocs)
			}
		})
	}
}

// parseOne and payloadOne give the event as a value, which reads better in
// tests than the pointer Parse and Payload fill.
func parseOne(p *Parser, b []byte) (Event, int, error) {
	var ev Event
	n, err := p.Parse(b, &ev)
	return ev, n, err
}

func payloadOne(p *Parser, b []byte) (Event, error) {
	var ev Event
	err := p.Payload(b, &ev)
	return ev, err
}
