package handshake

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hijackWriter is an http.ResponseWriter that records a refusal and can be
// hijacked, handing over one end of a net.Pipe and the request's reader.
type hijackWriter struct {
	header   http.Header
	status   int
	conn     net.Conn
	br       *bufio.Reader
	hijacked bool
}

func (w *hijackWriter) Header() http.Header { return w.header }
func (w *hijackWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
}
func (w *hijackWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(b), nil
}
func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.hijacked = true
	return w.conn, bufio.NewReadWriter(w.br, bufio.NewWriter(w.conn)), nil
}

// FuzzAccept hands Accept whatever request net/http parses from the input,
// as a handler sees it, under options chosen by the bits of mode
// (subprotocols, permessage-deflate, origin patterns). Accept must not
// panic; when it accepts, the request passes CheckRequest, the bytes it
// wrote are a 101 response that CheckResponse accepts for the request's
// key, and Buffered is what followed the request; when it refuses, it
// answered with the status of the *Error it returned (or 500) and took
// nothing over. (CheckResponse is the client's check, with a
// permessage-deflate offer when Accept agreed to one.)
func FuzzAccept(f *testing.F) {
	valid := "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	for i, s := range []string{
		valid + "\r\n",
		valid + "Origin: http://server.example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\r\n",
		valid + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-webkit\r\n\r\n\x81\x85abcd",
		valid + "Origin: https://a.example.com\r\n\r\n",
		valid + "Origin: http://evil.test\r\n\r\n",
		strings.Replace(valid, "13", "8", 1) + "\r\n",
		strings.Replace(valid, "Connection: Upgrade", "Connection: keep-alive, Upgrade", 1) + "\r\n",
		strings.Replace(valid, "GET", "POST", 1) + "Content-Length: 0\r\n\r\n",
		valid + "Sec-WebSocket-Key: again\r\n\r\n",
	} {
		f.Add([]byte(s), byte(i))
	}
	f.Fuzz(func(t *testing.T, input []byte, mode byte) {
		// A buffer larger than the input holds all of it after the first read.
		br := bufio.NewReaderSize(bytes.NewReader(input), len(input)+16)
		r, err := http.ReadRequest(br)
		if err != nil {
			return // net/http would not call a handler
		}
		rest := bytes.Clone(input[len(input)-br.Buffered():])
		opts := &ServerOptions{}
		if mode&1 != 0 {
			opts.Subprotocols = []string{"chat", "superchat"}
		}
		if mode&2 != 0 {
			opts.Deflate = &DeflateOptions{PeerNoContextTakeover: mode&8 != 0}
		}
		if mode&4 != 0 {
			opts.OriginPatterns = []string{"*.example.com"}
		}
		ours, peer := net.Pipe()
		defer peer.Close()
		wrote := make(chan []byte, 1)
		go func() {
			b, _ := io.ReadAll(peer)
			wrote <- b
		}()
		w := &hijackWriter{header: http.Header{}, conn: ours, br: br}
		res, err := Accept(w, r, opts)
		if err != nil {
			ours.Close()
			if w.hijacked {
				t.Fatalf("Accept took the connection over and refused: %v", err)
			}
			want := http.StatusInternalServerError
			var he *Error
			if errors.As(err, &he) {
				want = he.Status
			}
			if w.status != want || want < 400 {
				t.Fatalf("Accept refused with %v, answering %d", err, w.status)
			}
			return
		}
		if err := CheckRequest(r); err != nil {
			t.Fatalf("Accept accepted a request CheckRequest refuses: %v", err)
		}
		if !bytes.Equal(rest, res.Buffered) {
			t.Fatalf("Buffered %q is not what followed the request %q", res.Buffered, rest)
		}
		res.Conn.Close()
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(<-wrote)), r)
		if err != nil {
			t.Fatalf("Accept wrote no readable response: %v", err)
		}
		// A client that offered permessage-deflate takes any answer within
		// an offer; the agreement it reads is the server's.
		var offer *DeflateOptions
		if res.Deflate != nil {
			offer = &DeflateOptions{ContextTakeover: true} // its agreement then follows the answer alone
		}
		d, _, err := checkResponse(resp, trimOWS(r.Header.Get("Sec-WebSocket-Key")), offer)
		if err != nil {
			t.Fatalf("Accept's response fails the client's check: %v", err)
		}
		if diff := cmp.Diff(res.Deflate, d); diff != "" {
			t.Fatalf("the agreement read from the response differs (-Accept +client):\n%s", diff)
		}
		if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != res.Subprotocol {
			t.Fatalf("the response names subprotocol %q, Result %q", got, res.Subprotocol)
		}
	})
}
