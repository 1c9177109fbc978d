package frame

import (
	"errors"
	"math"
	"testing"
)

func TestCheck(t *testing.T) {
	fromClient := func(h Header) Header { h.Masked = true; h.Key = [4]byte{1, 2, 3, 4}; return h }
	deflate := State{RSV1: true}
	tests := []struct {
		name string
		h    Header
		role Role
		st   State
		want error
	}{
		{"server: masked text", fromClient(Header{Fin: true, Opcode: OpText, Length: 5}), Server, State{}, nil},
		{"client: unmasked text", Header{Fin: true, Opcode: OpText, Length: 5}, Client, State{}, nil},
		{"server: unmasked text", Header{Fin: true, Opcode: OpText, Length: 5}, Server, State{}, ErrUnmaskedFrame},
		{"client: masked text", fromClient(Header{Fin: true, Opcode: OpText}), Client, State{}, ErrMaskedFrame},
		{"server: unmasked close", Header{Fin: true, Opcode: OpClose}, Server, State{}, ErrUnmaskedFrame},
		{"client: fragment start", Header{Opcode: OpBinary, Length: 1 << 20}, Client, State{}, nil},
		{"client: continuation", Header{Opcode: OpContinuation, Length: 3}, Client, State{}, nil},
		{"client: largest legal length", Header{Fin: true, Opcode: OpBinary, Length: math.MaxInt64}, Client, State{}, nil},
		{"client: length top bit", Header{Fin: true, Opcode: OpBinary, Length: math.MinInt64}, Client, State{}, ErrLengthOverflow},
		{"server: length all ones", fromClient(Header{Fin: true, Opcode: OpBinary, Length: -1}), Server, State{}, ErrLengthOverflow},
		{"client: RSV1 without extension", Header{Fin: true, RSV1: true, Opcode: OpText}, Client, State{}, ErrReservedBits},
		{"client: RSV2 without extension", Header{Fin: true, RSV2: true, Opcode: OpText}, Client, State{}, ErrReservedBits},
		{"server: RSV3 without extension", fromClient(Header{Fin: true, RSV3: true, Opcode: OpText}), Server, State{}, ErrReservedBits},
		{"client: RSV1 with deflate", Header{Fin: true, RSV1: true, Opcode: OpText}, Client, deflate, nil},
		{"server: RSV1 with deflate", fromClient(Header{Fin: true, RSV1: true, Opcode: OpBinary}), Server, deflate, nil},
		{"client: RSV2 with deflate", Header{Fin: true, RSV2: true, Opcode: OpText}, Client, deflate, ErrReservedBits},
		{"client: all RSV claimed", Header{Fin: true, RSV1: true, RSV2: true, RSV3: true, Opcode: OpText}, Client, State{true, true, true}, nil},
		{"client: opcode 3", Header{Fin: true, Opcode: 3}, Client, State{}, ErrReservedOpcode},
		{"client: opcode 7", Header{Fin: true, Opcode: 7}, Client, State{}, ErrReservedOpcode},
		{"server: opcode 0xB", fromClient(Header{Fin: true, Opcode: 0xB}), Server, State{}, ErrReservedOpcode},
		{"server: opcode 0xF", fromClient(Header{Fin: true, Opcode: 0xF}), Server, State{}, ErrReservedOpcode},
		{"client: ping 125", Header{Fin: true, Opcode: OpPing, Length: 125}, Client, State{}, nil},
		{"client: ping 126", Header{Fin: true, Opcode: OpPing, Length: 126}, Client, State{}, ErrControlTooLong},
		{"server: close 126", fromClient(Header{Fin: true, Opcode: OpClose, Length: 126}), Server, State{}, ErrControlTooLong},
		{"server: pong 2^62", fromClient(Header{Fin: true, Opcode: OpPong, Length: 1 << 62}), Server, State{}, ErrControlTooLong},
		{"client: fragmented ping", Header{Opcode: OpPing, Length: 1}, Client, State{}, ErrControlFragmented},
		{"server: fragmented close", fromClient(Header{Opcode: OpClose}), Server, State{}, ErrControlFragmented},
		{"client: empty pong", Header{Fin: true, Opcode: OpPong}, Client, State{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.h, tt.role, tt.st)
			if err != tt.want {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
			if err == nil {
				return
			}
			var pe *ProtocolError
			if !errors.As(err, &pe) || pe.Code != StatusProtocolError {
				t.Fatalf("Check error %v is not a *ProtocolError with code 1002", err)
			}
		})
	}
}

// TestCheckBothRoles runs legal headers of every opcode through both roles:
// the same header is legal for exactly one of them.
func TestCheckBothRoles(t *testing.T) {
	for _, op := range []Opcode{OpContinuation, OpText, OpBinary, OpClose, OpPing, OpPong} {
		for _, masked := range []bool{false, true} {
			h := Header{Fin: true, Opcode: op, Masked: masked, Length: 10}
			cerr, serr := Check(h, Client, State{}), Check(h, Server, State{})
			if masked && (cerr != ErrMaskedFrame || serr != nil) {
				t.Errorf("%v masked: client %v, server %v", op, cerr, serr)
			}
			if !masked && (cerr != nil || serr != ErrUnmaskedFrame) {
				t.Errorf("%v unmasked: client %v, server %v", op, cerr, serr)
			}
		}
	}
}

func TestCheckInvalidRole(t *testing.T) {
	for _, r := range []Role{0, 3, 255} {
		err := Check(Header{Fin: true, Opcode: OpText}, r, State{})
		var pe *ProtocolError
		if err == nil || errors.As(err, &pe) {
			t.Errorf("Check with role %d = %v, want a plain error", r, err)
		}
	}
	if Client.String() != "client" || Server.String() != "server" || Role(0).String() != "invalid role" {
		t.Errorf("Role.String: %q %q %q", Client, Server, Role(0))
	}
}

func TestProtocolError(t *testing.T) {
	sentinels := []struct {
		name string
		err  *ProtocolError
		code StatusCode
	}{
		{"ErrReservedBits", ErrReservedBits, 1002},
		{"ErrReservedOpcode", ErrReservedOpcode, 1002},
		{"ErrControlTooLong", ErrControlTooLong, 1002},
		{"ErrControlFragmented", ErrControlFragmented, 1002},
		{"ErrUnmaskedFrame", ErrUnmaskedFrame, 1002},
		{"ErrMaskedFrame", ErrMaskedFrame, 1002},
		{"ErrLengthOverflow", ErrLengthOverflow, 1002},
		{"ErrUnexpectedContinuation", ErrUnexpectedContinuation, 1002},
		{"ErrExpectedContinuation", ErrExpectedContinuation, 1002},
		{"ErrMessageTooBig", ErrMessageTooBig, 1009},
		{"ErrInvalidUTF8", ErrInvalidUTF8, 1007},
		{"ErrCloseTooShort", ErrCloseTooShort, 1002},
		{"ErrInvalidCloseCode", ErrInvalidCloseCode, 1002},
		{"ErrInvalidCloseReason", ErrInvalidCloseReason, 1007},
	}
	seen := map[string]bool{}
	for _, tt := range sentinels {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Code != tt.code {
				t.Errorf("code %d, want %d", tt.err.Code, tt.code)
			}
			msg := tt.err.Error()
			if len(msg) <= len("frame: ") || msg[:7] != "frame: " || seen[msg] {
				t.Errorf("message %q: want a distinct \"frame: ...\" message", msg)
			}
			seen[msg] = true
			wrapped := errors.Join(errors.New("context"), tt.err)
			var pe *ProtocolError
			if !errors.Is(wrapped, tt.err) || !errors.As(wrapped, &pe) || pe != tt.err {
				t.Errorf("errors.Is/As do not find the sentinel through wrapping")
			}
		})
	}
}
