package frame

import "errors"

// Role is the side of the connection we are on. The frames [Check] judges are
// the ones we receive, so a Server checks frames sent by a client.
type Role uint8

// The two roles of RFC 6455.
const (
	Client Role = iota + 1
	Server
)

// String returns "client" or "server".
func (r Role) String() string {
	switch r {
	case Client:
		return "client"
	case Server:
		return "server"
	}
	return "invalid role"
}

// State is what a negotiated extension allows in received frames: which RSV
// bits it claims. permessage-deflate (RFC 7692) claims RSV1. The zero State
// means no extension.
type State struct {
	RSV1, RSV2, RSV3 bool
}

var errInvalidRole = errors.New("frame: invalid role")

// Check reports whether the header h, received by an endpoint in role, is
// legal on its own. It returns nil or one of the sentinel [*ProtocolError]
// values (all with code 1002), or a plain error if role is neither [Client]
// nor [Server]. The rules that depend on earlier frames (fragmentation, the
// size limit) belong to [Assembler].
func Check(h Header, role Role, st State) error { return check(&h, role, st) }

// check is Check on a Header it need not copy (see parseHeader).
func check(h *Header, role Role, st State) error {
	if role != Client && role != Server {
		return errInvalidRole
	}
	// RFC 6455 §5.2: "MUST be 0 unless an extension is negotiated that defines
	// meanings for non-zero values. If a nonzero value is received and none of
	// the negotiated extensions defines the meaning of such a nonzero value,
	// the receiving endpoint MUST _Fail the WebSocket Connection_."
	if (h.RSV1 && !st.RSV1) || (h.RSV2 && !st.RSV2) || (h.RSV3 && !st.RSV3) {
		return ErrReservedBits
	}
	// RFC 6455 §5.2: "If an unknown opcode is received, the receiving endpoint
	// MUST _Fail the WebSocket Connection_."
	if h.Opcode.IsReserved() {
		return ErrReservedOpcode
	}
	// RFC 6455 §5.2: "the most significant bit MUST be 0".
	if h.Length < 0 {
		return ErrLengthOverflow
	}
	switch role {
	case Server:
		// RFC 6455 §5.1: "The server MUST close the connection upon receiving
		// a frame that is not masked."
		if !h.Masked {
			return ErrUnmaskedFrame
		}
	case Client:
		// RFC 6455 §5.1: "A client MUST close a connection if it detects a
		// masked frame."
		if h.Masked {
			return ErrMaskedFrame
		}
	}
	if h.Opcode.IsControl() {
		// RFC 6455 §5.5: "All control frames MUST have a payload length of
		// 125 bytes or less and MUST NOT be fragmented."
		if h.Length > MaxControlPayload {
			return ErrControlTooLong
		}
		if !h.Fin {
			return ErrControlFragmented
		}
	}
	return nil
}
