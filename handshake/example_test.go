package handshake_test

import (
	"fmt"
	"strings"

	"github.com/seed865a0254/websocket/handshake"
)

// The example handshake of RFC 6455 §1.3.
func ExampleComputeAccept() {
	fmt.Println(handshake.ComputeAccept("dGhlIHNhbXBsZSBub25jZQ=="))
	// Output: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
}

// NewKey reads its 16 random bytes from the reader it is given; Dial uses
// crypto/rand. The §1.3 sample nonce is the base64 of these 16 bytes.
func ExampleNewKey() {
	key, err := handshake.NewKey(strings.NewReader("the sample nonce"))
	fmt.Println(key, err)
	// Output: dGhlIHNhbXBsZSBub25jZQ== <nil>
}
