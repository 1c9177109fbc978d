package frame

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// sendable states RFC 6455 §7.4 and the IANA registry differently from
// ValidOnWire: the registered codes listed one by one, and the 3xxx and 4xxx
// ranges by their thousands digit.
func sendable(c int) bool {
	for _, r := range []int{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014} {
		if c == r {
			return true
		}
	}
	return c/1000 == 3 || c/1000 == 4
}

// TestStatusCodeEveryCode classifies every uint16 and checks that ParseClose
// and CheckClose agree with the classification.
func TestStatusCodeEveryCode(t *testing.T) {
	valid := 0
	for c := range 65536 {
		code := StatusCode(c)
		want := sendable(c)
		if code.ValidOnWire() != want {
			t.Fatalf("StatusCode(%d).ValidOnWire() = %v, want %v", c, code.ValidOnWire(), want)
		}
		if want {
			valid++
		}
		payload := AppendClose(nil, code, "ok")
		got, reason, err := ParseClose(payload)
		switch {
		case want && (err != nil || got != code || reason != "ok"):
			t.Fatalf("ParseClose(%d) = %d, %q, %v", c, got, reason, err)
		case !want && err != ErrInvalidCloseCode:
			t.Fatalf("ParseClose(%d) error = %v, want ErrInvalidCloseCode", c, err)
		}
		if err := CheckClose(code, ""); (err == nil) != want {
			t.Fatalf("CheckClose(%d) = %v", c, err)
		}
		s := code.String()
		if !strings.HasPrefix(s, strconv.Itoa(c)+" ") {
			t.Fatalf("StatusCode(%d).String() = %q", c, s)
		}
	}
	if valid != 12+2000 {
		t.Fatalf("%d codes valid on the wire, want 2012", valid)
	}
}

func TestStatusCodeString(t *testing.T) {
	tests := []struct {
		name string
		code StatusCode
		want string
	}{
		{"1000", StatusNormalClosure, "1000 normal closure"},
		{"1005", StatusNoStatusRcvd, "1005 no status received"},
		{"1009", StatusMessageTooBig, "1009 message too big"},
		{"1014", StatusBadGateway, "1014 bad gateway"},
		{"1015", StatusTLSHandshake, "1015 TLS handshake"},
		{"3000", 3000, "3000 registered"},
		{"4999", 4999, "4999 private use"},
		{"0", 0, "0 unknown"},
		{"1016", 1016, "1016 unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.code.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseClose(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		code    StatusCode
		reason  string
		err     error
	}{
		{"empty means no status", nil, StatusNoStatusRcvd, "", nil},
		{"one byte", []byte{0x03}, 0, "", ErrCloseTooShort},
		{"code only", []byte{0x03, 0xe8}, StatusNormalClosure, "", nil},
		{"code and reason", []byte("\x03\xe9bye"), StatusGoingAway, "bye", nil},
		{"private code, UTF-8 reason", []byte("\x0f\xa0Grüße 😀"), 4000, "Grüße 😀", nil},
		{"1005 on the wire", []byte{0x03, 0xed}, StatusNoStatusRcvd, "", ErrInvalidCloseCode},
		{"1006 on the wire", []byte{0x03, 0xee}, StatusAbnormalClosure, "", ErrInvalidCloseCode},
		{"1004", []byte{0x03, 0xec}, 1004, "", ErrInvalidCloseCode},
		{"1015", []byte{0x03, 0xf7}, StatusTLSHandshake, "", ErrInvalidCloseCode},
		{"0", []byte{0, 0}, 0, "", ErrInvalidCloseCode},
		{"999", []byte{0x03, 0xe7}, 999, "", ErrInvalidCloseCode},
		{"5000", []byte{0x13, 0x88}, 5000, "", ErrInvalidCloseCode},
		{"65535", []byte{0xff, 0xff}, 65535, "", ErrInvalidCloseCode},
		{"reason with lone continuation", []byte("\x03\xe8ok\x80"), StatusNormalClosure, "", ErrInvalidCloseReason},
		{"reason with surrogate", []byte("\x03\xe8\xed\xa0\x80"), StatusNormalClosure, "", ErrInvalidCloseReason},
		{"reason cut inside a sequence", []byte("\x03\xe8\xe2\x82"), StatusNormalClosure, "", ErrInvalidCloseReason},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, reason, err := ParseClose(tt.payload)
			if code != tt.code || reason != tt.reason || err != tt.err {
				t.Fatalf("ParseClose = %d, %q, %v; want %d, %q, %v", code, reason, err, tt.code, tt.reason, tt.err)
			}
		})
	}
}

func TestParseCloseCopiesReason(t *testing.T) {
	payload := []byte("\x03\xe8abc")
	_, reason, _ := ParseClose(payload)
	payload[2] = 'X'
	if reason != "abc" {
		t.Fatalf("reason changed with the payload: %q", reason)
	}
}

func TestAppendClose(t *testing.T) {
	tests := []struct {
		name   string
		code   StatusCode
		reason string
		want   []byte
	}{
		{"normal", StatusNormalClosure, "", []byte{0x03, 0xe8}},
		{"with reason", StatusGoingAway, "bye", []byte("\x03\xe9bye")},
		{"invalid code is still encoded", StatusNoStatusRcvd, "", []byte{0x03, 0xed}},
		{"invalid UTF-8 is still encoded", 4000, "\xff", []byte("\x0f\xa0\xff")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendClose([]byte("x"), tt.code, tt.reason)
			if !bytes.Equal(got, append([]byte("x"), tt.want...)) {
				t.Fatalf("AppendClose = % x, want x + % x", got, tt.want)
			}
		})
	}
}

func TestCheckClose(t *testing.T) {
	tests := []struct {
		name   string
		code   StatusCode
		reason string
		want   error
	}{
		{"normal, no reason", StatusNormalClosure, "", nil},
		{"123-byte reason", StatusGoingAway, strings.Repeat("a", 123), nil},
		{"124-byte reason", StatusGoingAway, strings.Repeat("a", 124), errCloseLong},
		{"123 bytes of multi-byte text", 4000, strings.Repeat("€", 41), nil},
		{"invalid UTF-8", StatusNormalClosure, "a\xc0\xafb", errCloseNotUTF8},
		{"1005", StatusNoStatusRcvd, "", errCloseCode},
		{"1006", StatusAbnormalClosure, "", errCloseCode},
		{"1015", StatusTLSHandshake, "", errCloseCode},
		{"0", 0, "", errCloseCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckClose(tt.code, tt.reason)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("CheckClose = %v, want %v", err, tt.want)
			}
			var pe *ProtocolError
			if errors.As(err, &pe) {
				t.Fatalf("CheckClose returned a *ProtocolError: %v", err)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "frame: ") {
				t.Fatalf("message %q lacks the package prefix", err)
			}
		})
	}
}
