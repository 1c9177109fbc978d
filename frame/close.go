package frame

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// StatusCode is the close status code of RFC 6455 §7.4.
type StatusCode uint16

// The codes of RFC 6455 §7.4.1 and those IANA registered since (1012–1014).
// 1005, 1006 and 1015 are for reporting only and never appear on the wire.
const (
	StatusNormalClosure           StatusCode = 1000
	StatusGoingAway               StatusCode = 1001
	StatusProtocolError           StatusCode = 1002
	StatusUnsupportedData         StatusCode = 1003
	StatusNoStatusRcvd            StatusCode = 1005
	StatusAbnormalClosure         StatusCode = 1006
	StatusInvalidFramePayloadData StatusCode = 1007
	StatusPolicyViolation         StatusCode = 1008
	StatusMessageTooBig           StatusCode = 1009
	StatusMandatoryExtension      StatusCode = 1010
	StatusInternalError           StatusCode = 1011
	StatusServiceRestart          StatusCode = 1012
	StatusTryAgainLater           StatusCode = 1013
	StatusBadGateway              StatusCode = 1014
	StatusTLSHandshake            StatusCode = 1015
)

// MaxControlPayload is the largest payload a control frame may carry (RFC 6455
// §5.5). A close reason therefore has at most MaxControlPayload-2 bytes.
const MaxControlPayload = 125

// maxCloseReason is the room left for a reason after the 2-byte code.
const maxCloseReason = MaxControlPayload - 2

// ValidOnWire reports whether c may be sent in a close frame: the codes
// 1000–1003 and 1007–1014 defined by RFC 6455 §7.4.1 and IANA, and the ranges
// 3000–3999 (registered with IANA) and 4000–4999 (private use) of §7.4.2.
// 1004 is reserved, 1005, 1006 and 1015 "MUST NOT be set as a status code in a
// Close control frame by an endpoint", and 0–999, 1016–2999 and 5000 upward
// are not used.
func (c StatusCode) ValidOnWire() bool {
	switch {
	case c >= 1000 && c <= 1003:
		return true
	case c >= 1007 && c <= 1014:
		return true
	case c >= 3000 && c <= 4999:
		return true
	}
	return false
}

var statusNames = map[StatusCode]string{
	StatusNormalClosure:           "normal closure",
	StatusGoingAway:               "going away",
	StatusProtocolError:           "protocol error",
	StatusUnsupportedData:         "unsupported data",
	1004:                          "reserved",
	StatusNoStatusRcvd:            "no status received",
	StatusAbnormalClosure:         "abnormal closure",
	StatusInvalidFramePayloadData: "invalid frame payload data",
	StatusPolicyViolation:         "policy violation",
	StatusMessageTooBig:           "message too big",
	StatusMandatoryExtension:      "mandatory extension",
	StatusInternalError:           "internal error",
	StatusServiceRestart:          "service restart",
	StatusTryAgainLater:           "try again later",
	StatusBadGateway:              "bad gateway",
	StatusTLSHandshake:            "TLS handshake",
}

// String returns the code with its registered name, e.g. "1000 normal
// closure"; codes without a name are described by their range, e.g. "4001
// private use".
func (c StatusCode) String() string {
	s := strconv.Itoa(int(c))
	if name, ok := statusNames[c]; ok {
		return s + " " + name
	}
	switch {
	case c >= 3000 && c <= 3999:
		return s + " registered"
	case c >= 4000 && c <= 4999:
		return s + " private use"
	}
	return s + " unknown"
}

// ParseClose decodes the payload of a close frame (RFC 6455 §5.5.1). An empty
// payload means no status code: it returns [StatusNoStatusRcvd] (1005), "" and
// nil. Otherwise the payload must hold a 2-byte code that is
// [StatusCode.ValidOnWire] followed by a valid UTF-8 reason; a violation
// returns [ErrCloseTooShort], [ErrInvalidCloseCode] or [ErrInvalidCloseReason]
// (with the code that was read, where there is one). The reason is a copy.
func ParseClose(payload []byte) (StatusCode, string, error) {
	switch len(payload) {
	case 0:
		return StatusNoStatusRcvd, "", nil
	case 1:
		// RFC 6455 §5.5.1: "If there is a body, the first two bytes of the
		// body MUST be a 2-byte unsigned integer (in network byte order)
		// representing a status code".
		return 0, "", ErrCloseTooShort
	}
	code := StatusCode(binary.BigEndian.Uint16(payload))
	if !code.ValidOnWire() {
		return code, "", ErrInvalidCloseCode
	}
	reason := payload[2:]
	// RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8
	// but finds that the byte stream is not, in fact, a valid UTF-8 stream,
	// that endpoint MUST _Fail the WebSocket Connection_." §5.5.1 says the
	// reason is UTF-8-encoded.
	if !utf8.Valid(reason) {
		return code, "", ErrInvalidCloseReason
	}
	return code, string(reason), nil
}

// AppendClose appends a close payload, the code in network byte order followed
// by the reason, to dst. It encodes whatever it is given; use [CheckClose]
// first for a close frame we are about to send.
func AppendClose(dst []byte, code StatusCode, reason string) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(code))
	return append(dst, reason...)
}

// Errors of CheckClose. They are plain errors, not [*ProtocolError]: they
// report a mistake of the caller, not of the peer.
var (
	errCloseCode    = errors.New("frame: close code may not be sent")
	errCloseLong    = errors.New("frame: close reason longer than 123 bytes")
	errCloseNotUTF8 = errors.New("frame: close reason is not valid UTF-8")
)

// CheckClose reports whether a close frame with code and reason may be sent:
// the code must be [StatusCode.ValidOnWire], and the reason at most 123 bytes
// (so the payload fits a control frame) and valid UTF-8.
func CheckClose(code StatusCode, reason string) error {
	if !code.ValidOnWire() {
		return fmt.Errorf("%w: %d", errCloseCode, uint16(code))
	}
	if len(reason) > maxCloseReason {
		return fmt.Errorf("%w: %d bytes", errCloseLong, len(reason))
	}
	if !utf8.ValidString(reason) {
		return errCloseNotUTF8
	}
	return nil
}
