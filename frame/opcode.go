package frame

import "strconv"

// Opcode is the 4-bit frame type of RFC 6455 §5.2.
type Opcode byte

// The opcodes defined by RFC 6455 §5.2. The others (0x3–0x7, 0xB–0xF) are
// reserved for further frame types.
const (
	OpContinuation Opcode = 0x0
	OpText         Opcode = 0x1
	OpBinary       Opcode = 0x2
	OpClose        Opcode = 0x8
	OpPing         Opcode = 0x9
	OpPong         Opcode = 0xA
)

// IsControl reports whether o is a control opcode. RFC 6455 §5.5: "Control
// frames are identified by opcodes where the most significant bit of the
// opcode is 1." That includes the reserved control opcodes 0xB–0xF.
func (o Opcode) IsControl() bool { return o >= 0x8 }

// IsReserved reports whether o is one of the opcodes RFC 6455 §5.2 reserves
// (0x3–0x7 for data frames, 0xB–0xF for control frames), or does not fit in
// four bits at all.
func (o Opcode) IsReserved() bool {
	switch o {
	case OpContinuation, OpText, OpBinary, OpClose, OpPing, OpPong:
		return false
	}
	return true
}

// String returns the lower-case name of the opcode ("text", "ping", ...), or
// "reserved(0x3)" style for a reserved one.
func (o Opcode) String() string {
	switch o {
	case OpContinuation:
		return "continuation"
	case OpText:
		return "text"
	case OpBinary:
		return "binary"
	case OpClose:
		return "close"
	case OpPing:
		return "ping"
	case OpPong:
		return "pong"
	}
	return "reserved(0x" + strconv.FormatUint(uint64(o), 16) + ")"
}
