// Package rawws holds the test helpers of the commands' tests: a WebSocket
// client written by hand, which sees the server's frames as they are and
// answers nothing (not even pings), as a vanished or frozen peer would.
package rawws

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// Upgrade opens a WebSocket connection to path by hand and returns it
// after the 101: what it reads next is the server's frames as they are.
func Upgrade(t testing.TB, addr, path string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: "+addr+"\r\n"+
		"Upgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %s", resp.Status)
	}
	return c, br
}

// ReadUntilClose reads the server's frames, counting pings and answering
// none, up to its close frame, and returns the close code.
func ReadUntilClose(br *bufio.Reader) (code uint16, pings int, err error) {
	for {
		var h [2]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return 0, pings, err
		}
		n := int(h[1])
		if n > 125 {
			return 0, pings, fmt.Errorf("frame header %x: masked, or a payload too long for this test", h)
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(br, payload); err != nil {
			return 0, pings, err
		}
		switch op := h[0] & 0x0f; op {
		case 0x9:
			pings++
		case 0x8:
			if n < 2 {
				return 0, pings, errors.New("close frame without a code")
			}
			return binary.BigEndian.Uint16(payload), pings, nil
		default:
			return 0, pings, fmt.Errorf("unexpected opcode %#x", op)
		}
	}
}
