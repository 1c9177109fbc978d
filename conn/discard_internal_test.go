package conn

import (
	"bufio"
	"io"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/frame"
)

// A client that answered the server's close waits for the server to close
// the TCP connection (RFC 6455 §7.1.1), up to CloseTimeout; a poke from a
// Receive call that comes too late to read does not cut that wait short.
func TestCloseWaitSurvivesPokes(t *testing.T) {
	ours, peer := loopback(t)
	ws := New(ours, nil, frame.Client, &Options{CloseTimeout: 2 * time.Second})
	defer ws.CloseNow()
	closeFrame := frame.AppendHeader(nil, frame.Header{Fin: true, Opcode: frame.OpClose, Length: 2})
	if _, err := peer.Write(append(closeFrame, 0x03, 0xe8)); err != nil {
		t.Fatal(err)
	}
	// Our close frame comes back; then nothing until we close our end.
	br := bufio.NewReader(peer)
	peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	var hb [frame.MaxHeaderSize]byte
	h, err := frame.ReadHeader(br, hb[:])
	if err != nil || h.Opcode != frame.OpClose {
		t.Fatalf("got %v, %v; want our close frame", h.Opcode, err)
	}
	io.CopyN(io.Discard, br, h.Length)
	stopPoking := make(chan struct{})
	defer close(stopPoking)
	go func() {
		for {
			select {
			case <-stopPoking:
				return
			case <-time.After(5 * time.Millisecond):
				ws.poke()
			}
		}
	}()
	peer.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := br.ReadByte(); !errTimeout(err) {
		t.Fatalf("the client ended the TCP connection while it should wait for ours: %v", err)
	}
}
