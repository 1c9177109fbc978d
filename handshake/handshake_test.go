package handshake

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestNewKey(t *testing.T) {
	a, err := NewKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("two keys from crypto/rand are equal: %q", a)
	}
	for _, k := range []string{a, b} {
		if raw, err := base64.StdEncoding.DecodeString(k); err != nil || len(raw) != 16 || !validKey(k) {
			t.Errorf("key %q does not decode to 16 bytes", k)
		}
	}
	// One byte at a time is still a whole key.
	k, err := NewKey(iotest.OneByteReader(strings.NewReader("the sample nonce")))
	if err != nil || k != sampleKey {
		t.Errorf("NewKey = %q, %v; want %q", k, err, sampleKey)
	}
	broken := errors.New("entropy gone")
	if _, err := NewKey(iotest.ErrReader(broken)); !errors.Is(err, broken) || !strings.HasPrefix(err.Error(), "handshake: ") {
		t.Errorf("NewKey on a failing reader = %v, want it wrapped", err)
	}
	if _, err := NewKey(strings.NewReader("short")); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("NewKey on 5 bytes = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestComputeAccept(t *testing.T) {
	tests := []struct{ name, key, want string }{
		{name: "RFC 6455 §1.3", key: sampleKey, want: sampleAccept},
		// Computed independently with openssl sha1 -binary | base64 of "x" + GUID.
		{name: "any string", key: "x", want: "JVxkmtKFjDcI/Pm/AGPEKSN6wT8="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ComputeAccept(tt.key); got != tt.want {
				t.Errorf("ComputeAccept(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	err := error(&Error{Status: 403, Reason: "origin not allowed"})
	if got, want := err.Error(), "handshake: 403 Forbidden: origin not allowed"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
