package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
	"github.com/seed865a0254/websocket/ping"
)

func TestMessageLine(t *testing.T) {
	at := time.Date(2026, 12, 7, 21, 5, 9, 42_000_000, time.UTC)
	text := conn.Message{Type: conn.Text, Data: []byte("héllo")}
	bin := conn.Message{Type: conn.Binary, Data: []byte{0, 0xff, 'h', 'i'}}
	tests := []struct {
		name  string
		style style
		id    int
		msg   conn.Message
		want  string
	}{
		{name: "plain text is the message alone", msg: text, want: "héllo"},
		{name: "plain binary is hex", msg: bin, want: "00ff6869"},
		{name: "plain binary in base64", style: style{base64: true}, msg: bin, want: "AP9oaQ=="},
		{name: "plain, from a client", id: 3, msg: text, want: "[3] héllo"},
		{name: "a terminal marks the direction", style: style{decorate: true}, msg: text, want: "< héllo"},
		{name: "a terminal marks binary and its size", style: style{decorate: true}, msg: bin, want: "< [binary 4 B] 00ff6869"},
		{name: "a terminal, from a client", style: style{decorate: true}, id: 12, msg: text, want: "[12] < héllo"},
		{name: "a timestamp comes first", style: style{decorate: true, stamps: true}, id: 1, msg: text, want: "21:05:09.042 [1] < héllo"},
		{name: "a timestamp in a pipe", style: style{stamps: true, base64: true}, msg: bin, want: "21:05:09.042 AP9oaQ=="},
		{name: "an empty message is an empty line", msg: conn.Message{Type: conn.Text}, want: ""},
		{name: "a terminal gets control characters escaped", style: style{decorate: true},
			msg: conn.Message{Type: conn.Text, Data: []byte("\x1b[2Jred\ttab\nline\r\x7f\u0085é")}, want: "< \\x1b[2Jred\ttab\nline\\x0d\\x7f\\u0085é"},
		{name: "a script gets them as they came",
			msg: conn.Message{Type: conn.Text, Data: []byte("\x1b[2J\r")}, want: "\x1b[2J\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.style.messageLine(at, tt.id, tt.msg); got != tt.want {
				t.Fatalf("messageLine = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStatusLine(t *testing.T) {
	at := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		style style
		id    int
		want  string
	}{
		{name: "about the connection", want: "* closed"},
		{name: "about a client", id: 2, want: "* [2] closed"},
		{name: "with a timestamp", style: style{stamps: true}, id: 2, want: "08:00:00.000 * [2] closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.style.statusLine(at, tt.id, "closed"); got != tt.want {
				t.Fatalf("statusLine = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVerdict(t *testing.T) {
	failed := func(cause error) error { return fmt.Errorf("%w: %w", conn.ErrClosed, cause) }
	tests := []struct {
		name   string
		ending ending
		want   string
		normal bool
	}{
		{
			name:   "the server closed with 1000",
			ending: ending{recvErr: &conn.CloseError{Code: 1000, Reason: "goodbye"}},
			want:   `closed by the server: 1000 normal closure "goodbye"`, normal: true,
		},
		{
			name:   "the server closed with 1001",
			ending: ending{recvErr: &conn.CloseError{Code: 1001}},
			want:   "closed by the server: 1001 going away", normal: true,
		},
		{
			name:   "the server closed with 4001",
			ending: ending{recvErr: &conn.CloseError{Code: 4001, Reason: "nope"}},
			want:   `closed by the server: 4001 private use "nope"`,
		},
		{
			name:   "the server closed without a code",
			ending: ending{recvErr: &conn.CloseError{Code: 1005}},
			want:   "closed by the server: 1005 no status received",
		},
		{
			name:   "our close with 1000 was answered",
			ending: ending{local: true, code: 1000, recvErr: conn.ErrClosed},
			want:   "closed: 1000 normal closure", normal: true,
		},
		{
			name:   "our close with 4000 was answered",
			ending: ending{local: true, code: 4000, reason: "done", recvErr: conn.ErrClosed},
			want:   `closed: 4000 private use "done"`,
		},
		{
			name:   "our close was not answered",
			ending: ending{local: true, code: 1001, closeErr: failed(errors.New("conn: closing handshake timed out")), recvErr: conn.ErrClosed},
			want:   "closed with 1001 going away, but the closing handshake did not complete: closing handshake timed out",
		},
		{
			name:   "the server closed first while we closed",
			ending: ending{local: true, code: 1000, recvErr: &conn.CloseError{Code: 1011}},
			want:   "closed by the server: 1011 internal error",
		},
		{
			name:   "the connection had failed before our close",
			ending: ending{local: true, code: 1000, closeErr: conn.ErrClosed, recvErr: failed(io.ErrUnexpectedEOF)},
			want:   "connection lost: the server ended TCP without a close frame",
		},
		{
			name:   "a protocol error",
			ending: ending{recvErr: failed(frame.ErrReservedOpcode)},
			want:   "protocol error: the server broke the protocol (" + strings.TrimPrefix(frame.ErrReservedOpcode.Error(), "frame: ") + "); we closed with 1002 protocol error",
		},
		{
			name:   "a ping timeout",
			ending: ending{recvErr: failed(fmt.Errorf("%w (1s)", ping.ErrTimeout))},
			want:   "the server stopped answering pings (ping: no pong within the timeout (1s))",
		},
		{
			name:   "TCP ended without a close frame",
			ending: ending{recvErr: failed(io.ErrUnexpectedEOF)},
			want:   "connection lost: the server ended TCP without a close frame",
		},
		{
			name:   "another failure is told as it is",
			ending: ending{recvErr: failed(errors.New("write: broken pipe"))},
			want:   "write: broken pipe",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, normal := tt.ending.verdict("server")
			if got != tt.want || normal != tt.normal {
				t.Fatalf("verdict = %q, %v\nwant      %q, %v", got, normal, tt.want, tt.normal)
			}
		})
	}
}

func TestDialError(t *testing.T) {
	refused := &http.Response{Body: io.NopCloser(strings.NewReader("origin not allowed\nmore"))}
	tests := []struct {
		name string
		err  error
		resp *http.Response
		want string
	}{
		{
			name: "a refused handshake with its status and body",
			err:  &handshake.Error{Status: 403, Reason: "the server did not switch protocols"},
			resp: refused,
			want: "handshake refused: HTTP 403 Forbidden: origin not allowed",
		},
		{
			name: "a refused handshake without a body",
			err:  &handshake.Error{Status: 404, Reason: "the server did not switch protocols"},
			want: "handshake refused: HTTP 404 Not Found",
		},
		{
			name: "a 101 the client refused is told as it is",
			err:  &handshake.Error{Status: 101, Reason: "bad Sec-WebSocket-Accept"},
			want: "101 Switching Protocols: bad Sec-WebSocket-Accept",
		},
		{
			name: "a timeout",
			err:  fmt.Errorf("dial tcp: %w", context.DeadlineExceeded),
			want: "connect timeout: no WebSocket connection within 250ms (-timeout)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dialError(tt.err, tt.resp, 250*time.Millisecond); got != tt.want {
				t.Fatalf("dialError = %q\nwant        %q", got, tt.want)
			}
		})
	}
}
