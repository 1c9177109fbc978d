package conn_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
)

// FuzzServerRead feeds arbitrary bytes to a server connection as if a client
// sent them after the handshake. Whatever the input, the connection must not
// panic or hang, every message Receive returns must be legal (text valid
// UTF-8, within the read limit), every frame the server writes must be a
// well-formed unmasked frame, a close frame must carry a code valid on the
// wire, and the connection must end with an error wrapping ErrClosed.
//
// Each input runs over net.Pipe inside a synctest bubble, where the close
// timeouts an input may wait for pass at once on the fake clock. The seed
// corpus also runs over loopback TCP (real time, 100 ms per failed
// connection), where a waiting Receive reads the socket itself, a path
// net.Pipe never takes; the fuzzing engine skips that pass.
func FuzzServerRead(f *testing.F) {
	masked := func(fin bool, op frame.Opcode, payload string) []byte {
		key := [4]byte{1, 2, 3, 4}
		b := frame.AppendHeader(nil, frame.Header{Fin: fin, Opcode: op, Masked: true, Key: key, Length: int64(len(payload))})
		start := len(b)
		b = append(b, payload...)
		frame.Mask(key, 0, b[start:])
		return b
	}
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	f.Add(masked(true, frame.OpText, "Hello"))
	f.Add(cat(masked(false, frame.OpText, "Hel"), masked(true, frame.OpPing, "p"), masked(true, frame.OpContinuation, "lo")))
	f.Add(cat(masked(true, frame.OpBinary, "\x00\x01"), masked(true, frame.OpClose, "\x03\xe8bye")))
	f.Add(masked(true, frame.OpText, "\xce\xba\xe1\xbd\xb9\xf4\x90\x80\x80"))
	f.Add(cat(masked(true, frame.OpText, "a"), []byte{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}))
	f.Add(masked(true, frame.OpClose, "\x03"))
	f.Add([]byte{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4})
	f.Add(masked(true, frame.Opcode(0x3), ""))

	fuzzRead(f, frame.Server)
}

// FuzzClientRead is FuzzServerRead for the client role: the input is what a
// server sends after the handshake, and every frame the client writes must
// be masked.
func FuzzClientRead(f *testing.F) {
	unmasked := func(fin bool, op frame.Opcode, payload string) []byte {
		b := frame.AppendHeader(nil, frame.Header{Fin: fin, Opcode: op, Length: int64(len(payload))})
		return append(b, payload...)
	}
	f.Add(unmasked(true, frame.OpText, "Hello"))
	f.Add(append(append(unmasked(false, frame.OpText, "Hel"), unmasked(true, frame.OpPing, "p")...), unmasked(true, frame.OpContinuation, "lo")...))
	f.Add(append(unmasked(true, frame.OpBinary, "\x00\x01"), unmasked(true, frame.OpClose, "\x03\xe8bye")...))
	f.Add(unmasked(true, frame.OpText, "\xce\xba\xe1\xbd\xb9\xf4\x90\x80\x80"))
	f.Add(unmasked(true, frame.OpPong, "x"))
	f.Add(unmasked(true, frame.OpClose, "\x03"))
	f.Add([]byte{0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x81, 0x85, 1, 2, 3, 4, 'H', 'e', 'l', 'l', 'o'}) // masked: a client refuses it
	fuzzRead(f, frame.Client)
}

// fuzzRead runs the fuzz target for a connection in role ours.
func fuzzRead(f *testing.F, ours frame.Role) {
	// Over loopback TCP as well as net.Pipe, for the seed corpus only.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	defer ln.Close()
	tcpPair := func(t *testing.T) (peer, server net.Conn) {
		peer, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		server, err = ln.Accept()
		if err != nil {
			peer.Close()
			t.Fatal(err)
		}
		return peer, server
	}
	fuzzing := flag.Lookup("test.fuzz").Value.String() != ""

	const limit = 1 << 12
	f.Fuzz(func(t *testing.T, input []byte) {
		synctest.Test(t, func(t *testing.T) {
			peer, server := net.Pipe()
			fuzzServerRead(t, ours, peer, server, input, limit)
		})
		if !fuzzing {
			peer, server := tcpPair(t)
			fuzzServerRead(t, ours, peer, server, input, limit)
		}
	})
}

// fuzzServerRead plays one input through one pair: ours, in role role, and
// the peer's end, client.
func fuzzServerRead(t *testing.T, role frame.Role, client, server net.Conn, input []byte, limit int64) {
	ws := conn.New(server, nil, role, &conn.Options{ReadLimit: limit, CloseTimeout: 100 * time.Millisecond})
	defer ws.CloseNow()

	// The application: echo everything, check every message.
	appErr := make(chan error, 1)
	go func() {
		ctx := context.Background()
		for {
			msg, err := ws.Receive(ctx)
			if err != nil {
				appErr <- err
				return
			}
			if int64(len(msg.Data)) > limit {
				t.Errorf("Receive returned %d bytes, over the %d-byte limit", len(msg.Data), limit)
			}
			if msg.Type == conn.Text && !utf8.Valid(msg.Data) {
				t.Errorf("Receive returned invalid UTF-8 as text: %q", msg.Data)
			}
			if err := ws.Send(ctx, msg.Type, msg.Data); err != nil {
				appErr <- err
				return
			}
		}
	}()

	// The client: read and check every frame the server writes.
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		br := bufio.NewReader(client)
		buf := make([]byte, frame.MaxHeaderSize)
		for {
			h, err := frame.ReadHeader(br, buf)
			if err != nil {
				return
			}
			if h.Masked != (role == frame.Client) || h.RSV1 || h.RSV2 || h.RSV3 || h.Opcode.IsReserved() || h.Length < 0 || h.Length > limit {
				t.Errorf("%s wrote an illegal header %+v", roleName(role), h)
				return
			}
			payload := make([]byte, h.Length)
			if _, err := io.ReadFull(br, payload); err != nil {
				return
			}
			if h.Masked {
				frame.Mask(h.Key, 0, payload)
			}
			if h.Opcode == frame.OpClose && len(payload) > 0 {
				code, _, err := frame.ParseClose(payload)
				if err != nil || !code.ValidOnWire() {
					t.Errorf("%s sent a bad close payload %x: %v", roleName(role), payload, err)
				}
			}
		}
	}()

	client.SetWriteDeadline(time.Now().Add(time.Second))
	client.Write(input)
	if tc, ok := client.(*net.TCPConn); ok {
		// Half-close: the server reads everything, then EOF, while
		// what it writes still reaches our reader.
		tc.CloseWrite()
		defer tc.Close()
	} else {
		client.Close()
	}
	select {
	case <-ws.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the connection did not end after the client went away")
	}
	<-readDone
	if err := <-appErr; !errors.Is(err, conn.ErrClosed) {
		t.Fatalf("Receive ended with %v, want an error wrapping ErrClosed", err)
	}
}
