package frame

import (
	"errors"
	"math"
	"testing"
)

func TestAssembler(t *testing.T) {
	type step struct {
		h          Header
		op         Opcode // want
		err        error  // want
		compressed bool   // want Compressed() after the step
	}
	text := func(fin bool, n int64) Header { return Header{Fin: fin, Opcode: OpText, Length: n} }
	bin := func(fin bool, n int64) Header { return Header{Fin: fin, Opcode: OpBinary, Length: n} }
	cont := func(fin bool, n int64) Header { return Header{Fin: fin, Opcode: OpContinuation, Length: n} }
	ping := Header{Fin: true, Opcode: OpPing, Length: 4}
	deflate := State{RSV1: true}
	tests := []struct {
		name  string
		limit int64
		st    State
		steps []step
	}{
		{"single text", -1, State{}, []step{{h: text(true, 5), op: OpText}}},
		{"single binary then text", -1, State{}, []step{{h: bin(true, 5), op: OpBinary}, {h: text(true, 0), op: OpText}}},
		{"fragmented text", -1, State{}, []step{
			{h: text(false, 3), op: OpText}, {h: cont(false, 0), op: OpText}, {h: cont(true, 2), op: OpText},
		}},
		{"continuation without a start", -1, State{}, []step{{h: cont(true, 1), err: ErrUnexpectedContinuation}}},
		{"continuation after a finished message", -1, State{}, []step{
			{h: bin(true, 1), op: OpBinary}, {h: cont(true, 1), err: ErrUnexpectedContinuation},
		}},
		{"text inside a fragmented message", -1, State{}, []step{
			{h: bin(false, 1), op: OpBinary}, {h: text(true, 1), err: ErrExpectedContinuation},
			{h: cont(true, 1), op: OpBinary}, // the error changed nothing
		}},
		{"binary inside a fragmented message", -1, State{}, []step{
			{h: text(false, 1), op: OpText}, {h: bin(false, 1), err: ErrExpectedContinuation},
		}},
		{"control frames between fragments", -1, State{}, []step{
			{h: text(false, 3), op: OpText}, {h: ping, op: OpPing},
			{h: Header{Fin: true, Opcode: OpPong}, op: OpPong}, {h: cont(false, 1), op: OpText},
			{h: Header{Fin: true, Opcode: OpClose, Length: 2}, op: OpClose}, {h: cont(true, 1), op: OpText},
		}},
		{"control frame alone", 0, State{}, []step{{h: ping, op: OpPing}}},
		{"control frames do not count toward the limit", 1, State{}, []step{
			{h: text(false, 1), op: OpText}, {h: ping, op: OpPing}, {h: cont(true, 0), op: OpText},
		}},
		{"exactly the limit", 10, State{}, []step{{h: bin(true, 10), op: OpBinary}}},
		{"one over the limit", 10, State{}, []step{{h: bin(true, 11), err: ErrMessageTooBig}}},
		{"limit reached across fragments", 10, State{}, []step{
			{h: bin(false, 4), op: OpBinary}, {h: cont(false, 6), op: OpBinary}, {h: cont(true, 1), err: ErrMessageTooBig},
			{h: cont(true, 0), op: OpBinary},
		}},
		{"limit counts per message", 10, State{}, []step{
			{h: bin(false, 5), op: OpBinary}, {h: cont(true, 5), op: OpBinary}, {h: text(true, 10), op: OpText},
		}},
		{"limit 0 allows empty messages", 0, State{}, []step{{h: text(true, 0), op: OpText}, {h: text(true, 1), err: ErrMessageTooBig}}},
		{"2^63-1 refused at the header", 1 << 20, State{}, []step{{h: bin(true, math.MaxInt64), err: ErrMessageTooBig}}},
		{"2^62 refused at the header", 1 << 20, State{}, []step{{h: text(false, 1<<62), err: ErrMessageTooBig}}},
		{"2^62 after a fragment", 1 << 20, State{}, []step{{h: text(false, 1<<19), op: OpText}, {h: cont(true, 1<<62), err: ErrMessageTooBig}}},
		{"no limit: huge lengths saturate", -1, State{}, []step{
			{h: bin(false, math.MaxInt64), op: OpBinary}, {h: cont(false, math.MaxInt64), op: OpBinary}, {h: cont(true, 1), op: OpBinary},
		}},
		{"length with the top bit set", -1, State{}, []step{{h: bin(true, -1), err: ErrLengthOverflow}}},
		{"reserved opcode", -1, State{}, []step{{h: Header{Fin: true, Opcode: 0x3}, err: ErrReservedOpcode}}},
		{"RSV1 on first frame with deflate", -1, deflate, []step{
			{h: Header{RSV1: true, Opcode: OpText, Length: 3}, op: OpText, compressed: true},
			{h: cont(true, 3), op: OpText, compressed: true},
			{h: text(true, 1), op: OpText, compressed: false},
		}},
		{"RSV1 on continuation with deflate", -1, deflate, []step{
			{h: Header{RSV1: true, Opcode: OpBinary, Length: 3}, op: OpBinary, compressed: true},
			{h: Header{Fin: true, RSV1: true, Opcode: OpContinuation}, err: ErrReservedBits, compressed: true},
		}},
		{"RSV1 on control frame with deflate", -1, deflate, []step{
			{h: Header{Fin: true, RSV1: true, Opcode: OpPing}, err: ErrReservedBits},
		}},
		{"RSV1 without deflate is not compression", -1, State{}, []step{
			{h: Header{Fin: true, RSV1: true, Opcode: OpText}, op: OpText, compressed: false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAssembler(tt.limit, tt.st)
			for i, s := range tt.steps {
				op, err := a.Frame(s.h)
				if err != s.err {
					t.Fatalf("step %d (%+v): error %v, want %v", i, s.h, err, s.err)
				}
				if err == nil && op != s.op {
					t.Fatalf("step %d (%+v): opcode %v, want %v", i, s.h, op, s.op)
				}
				if got := a.Compressed(); got != s.compressed {
					t.Fatalf("step %d: Compressed() = %v, want %v", i, got, s.compressed)
				}
			}
		})
	}
}

// TestAssemblerTooBigCode checks the close code a caller recovers with
// errors.As for a declared length beyond the limit.
func TestAssemblerTooBigCode(t *testing.T) {
	for _, n := range []int64{math.MaxInt64, 1 << 62} {
		a := NewAssembler(1<<20, State{})
		_, err := a.Frame(Header{Fin: true, Opcode: OpBinary, Masked: true, Length: n})
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe.Code != StatusMessageTooBig {
			t.Fatalf("length %d: %v, want code 1009", n, err)
		}
		// Check, which runs first, passes these lengths: only the limit refuses them.
		if err := Check(Header{Fin: true, Opcode: OpBinary, Masked: true, Length: n}, Server, State{}); err != nil {
			t.Fatalf("Check(length %d) = %v", n, err)
		}
	}
}

// TestAssemblerSetLimit: a new limit applies to the next header, and the
// bytes a message in progress already declared count against it.
func TestAssemblerSetLimit(t *testing.T) {
	a := NewAssembler(-1, State{})
	if _, err := a.Frame(Header{Opcode: OpBinary, Length: 10}); err != nil {
		t.Fatal(err)
	}
	a.SetLimit(12)
	if _, err := a.Frame(Header{Opcode: OpContinuation, Length: 3}); err != ErrMessageTooBig {
		t.Fatalf("10+3 bytes under a limit of 12: %v, want ErrMessageTooBig", err)
	}
	if _, err := a.Frame(Header{Fin: true, Opcode: OpContinuation, Length: 2}); err != nil {
		t.Fatalf("10+2 bytes under a limit of 12: %v", err)
	}
	a.SetLimit(-1)
	if _, err := a.Frame(Header{Fin: true, Opcode: OpBinary, Length: math.MaxInt64}); err != nil {
		t.Fatalf("no limit: %v", err)
	}
}
