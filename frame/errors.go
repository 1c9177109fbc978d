package frame

// ProtocolError is a violation of RFC 6455 by the peer. Code is the status
// code the endpoint should send in its close frame before failing the
// connection (RFC 6455 §7.1.7, §7.4.1).
//
// The package returns the sentinels below as they are, so errors.Is matches
// them by identity and errors.As recovers the code.
type ProtocolError struct {
	Code   StatusCode
	Reason string
}

// Error returns "frame: " followed by the reason.
func (e *ProtocolError) Error() string { return "frame: " + e.Reason }

// The violations this package detects, one sentinel each.
var (
	// ErrReservedBits: an RSV bit is set that no negotiated extension claims
	// (RFC 6455 §5.2), or RSV1 is set where permessage-deflate forbids it.
	ErrReservedBits = &ProtocolError{StatusProtocolError, "reserved bit set without a negotiated extension"}
	// ErrReservedOpcode: the opcode is one RFC 6455 §5.2 reserves.
	ErrReservedOpcode = &ProtocolError{StatusProtocolError, "reserved opcode"}
	// ErrControlTooLong: a control frame declares more than 125 payload bytes (§5.5).
	ErrControlTooLong = &ProtocolError{StatusProtocolError, "control frame payload longer than 125 bytes"}
	// ErrControlFragmented: a control frame has FIN clear (§5.5).
	ErrControlFragmented = &ProtocolError{StatusProtocolError, "fragmented control frame"}
	// ErrUnmaskedFrame: a server received a frame without a mask (§5.1).
	ErrUnmaskedFrame = &ProtocolError{StatusProtocolError, "unmasked frame from client"}
	// ErrMaskedFrame: a client received a masked frame (§5.1).
	ErrMaskedFrame = &ProtocolError{StatusProtocolError, "masked frame from server"}
	// ErrLengthOverflow: a 64-bit payload length has its most significant bit set (§5.2).
	ErrLengthOverflow = &ProtocolError{StatusProtocolError, "payload length has the most significant bit set"}
	// ErrUnexpectedContinuation: a continuation frame arrived with no message in progress (§5.4).
	ErrUnexpectedContinuation = &ProtocolError{StatusProtocolError, "continuation frame without a message in progress"}
	// ErrExpectedContinuation: a new text or binary frame arrived inside a fragmented message (§5.4).
	ErrExpectedContinuation = &ProtocolError{StatusProtocolError, "new data frame inside a fragmented message"}
	// ErrMessageTooBig: the message would exceed the size limit (§7.4.1, code 1009).
	ErrMessageTooBig = &ProtocolError{StatusMessageTooBig, "message too big"}
	// ErrInvalidUTF8: a text message is not valid UTF-8 (§8.1, code 1007).
	ErrInvalidUTF8 = &ProtocolError{StatusInvalidFramePayloadData, "invalid UTF-8 in text"}
	// ErrCloseTooShort: a close frame has a one-byte payload (§5.5.1).
	ErrCloseTooShort = &ProtocolError{StatusProtocolError, "close payload of one byte"}
	// ErrInvalidCloseCode: a close frame carries a code that may not be sent (§7.4).
	ErrInvalidCloseCode = &ProtocolError{StatusProtocolError, "invalid close code"}
	// ErrInvalidCloseReason: a close reason is not valid UTF-8 (§5.5.1, code 1007).
	ErrInvalidCloseReason = &ProtocolError{StatusInvalidFramePayloadData, "invalid UTF-8 in close reason"}
)
