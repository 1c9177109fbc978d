package frame

// Assembler applies the rules that span frames (RFC 6455 §5.4,
// fragmentation) and the message size limit. Feed it every header received
// on a connection, in order, after [Check] accepted it. It is pure: it sees
// headers only, never payload bytes.
type Assembler struct {
	limit      int64 // < 0: no limit
	st         State
	inMessage  bool   // a data frame with FIN clear started a message that is not finished
	op         Opcode // OpText or OpBinary of the current or last message
	size       int64  // declared bytes of the current message so far
	compressed bool
}

// NewAssembler returns an Assembler that refuses messages whose data frames
// declare more than limit bytes in total (limit < 0: no limit) and knows the
// extension state st (RSV1 claimed by permessage-deflate).
func NewAssembler(limit int64, st State) *Assembler {
	return &Assembler{limit: limit, st: st}
}

// Frame checks h against the frames before it. For a data frame (a
// continuation included) it returns the opcode of the message the frame
// belongs to, [OpText] or [OpBinary]; for a control frame, h.Opcode. Control
// frames may come between the fragments of a message and do not change the
// state.
//
// Errors: [ErrUnexpectedContinuation], [ErrExpectedContinuation],
// [ErrMessageTooBig] when the length declared in h would take the message past
// the limit (checked before any payload is read), [ErrReservedBits] for RSV1
// on a continuation or control frame when permessage-deflate claims RSV1, and
// for headers [Check] would refuse, [ErrReservedOpcode] and
// [ErrLengthOverflow]. On an error the state does not change.
func (a *Assembler) Frame(h Header) (Opcode, error) { return a.frame(&h) }

// frame is Frame on a Header it need not copy (see parseHeader).
func (a *Assembler) frame(h *Header) (Opcode, error) {
	if h.Opcode.IsReserved() {
		return 0, ErrReservedOpcode
	}
	if h.Length < 0 {
		return 0, ErrLengthOverflow
	}
	if h.Opcode.IsControl() {
		// RFC 7692 §6: "An endpoint MUST NOT set the "Per-Message Compressed"
		// bit of control frames and non-first fragments of a data message."
		if a.st.RSV1 && h.RSV1 {
			return 0, ErrReservedBits
		}
		return h.Opcode, nil
	}
	size := int64(0)
	if h.Opcode == OpContinuation {
		// RFC 6455 §5.4: a fragmented message is "a single frame with the FIN
		// bit clear and an opcode other than 0, followed by zero or more
		// frames with the FIN bit clear and the opcode set to 0, and
		// terminated by a single frame with the FIN bit set and an opcode of
		// 0"; a continuation frame outside such a message breaks the rule.
		if !a.inMessage {
			return 0, ErrUnexpectedContinuation
		}
		// RFC 7692 §6, as for control frames above.
		if a.st.RSV1 && h.RSV1 {
			return 0, ErrReservedBits
		}
		size = a.size
	} else if a.inMessage {
		// RFC 6455 §5.4: "The fragments of one message MUST NOT be
		// interleaved between the fragments of another message".
		return 0, ErrExpectedContinuation
	}
	if a.limit >= 0 && h.Length > a.limit-size {
		return 0, ErrMessageTooBig
	}
	if h.Opcode != OpContinuation {
		a.op = h.Opcode
		a.compressed = a.st.RSV1 && h.RSV1
	}
	// Saturate rather than overflow when there is no limit.
	if size > maxInt64-h.Length {
		a.size = maxInt64
	} else {
		a.size = size + h.Length
	}
	a.inMessage = !h.Fin
	return a.op, nil
}

const maxInt64 = 1<<63 - 1

// SetLimit changes the message size limit (limit < 0: no limit). It applies
// to the headers given to Frame from then on, including the rest of a
// message in progress: the bytes it already declared count against the new
// limit.
func (a *Assembler) SetLimit(limit int64) { a.limit = limit }

// Compressed reports whether the current message, or the last one if none is
// in progress, had RSV1 set on its first frame while the extension state
// claims RSV1: the seam for permessage-deflate.
func (a *Assembler) Compressed() bool { return a.compressed }
