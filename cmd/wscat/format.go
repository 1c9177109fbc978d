package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
	"github.com/seed865a0254/websocket/ping"
)

// style says how lines are shown.
type style struct {
	decorate bool // direction markers and status lines (a person reads)
	stamps   bool // -ts
	base64   bool // -b64
}

// stampLayout is the timestamp of -ts: the time of day to the millisecond.
const stampLayout = "15:04:05.000"

// messageLine is the line that shows msg, received from client id (0: from
// the server, in client mode). Plain lines hold the message alone (binary
// data encoded), tagged with the client's id in server mode.
func (st style) messageLine(now time.Time, id int, msg conn.Message) string {
	var b strings.Builder
	st.prefix(&b, now)
	if id > 0 {
		fmt.Fprintf(&b, "[%d] ", id)
	}
	if st.decorate {
		b.WriteString("< ")
		if msg.Type == conn.Binary {
			fmt.Fprintf(&b, "[binary %d B] ", len(msg.Data))
		}
	}
	switch {
	case msg.Type == conn.Binary:
		b.WriteString(st.encode(msg.Data))
	case st.decorate:
		b.WriteString(printable(string(msg.Data)))
	default:
		b.Write(msg.Data) // a script gets the bytes as they came
	}
	return b.String()
}

// printable escapes the control characters of s other than tab and newline:
// the peer must not drive the terminal (an ESC starts a command to it).
func printable(s string) string {
	isControl := func(r rune) bool {
		return (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7f && r <= 0x9f)
	}
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !isControl(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// statusLine is a line about the connection (client id, or 0), not a message.
func (st style) statusLine(now time.Time, id int, text string) string {
	var b strings.Builder
	st.prefix(&b, now)
	b.WriteString("* ")
	if id > 0 {
		fmt.Fprintf(&b, "[%d] ", id)
	}
	b.WriteString(text)
	return b.String()
}

func (st style) prefix(b *strings.Builder, now time.Time) {
	if st.stamps {
		b.WriteString(now.Format(stampLayout))
		b.WriteByte(' ')
	}
}

// encode writes binary data as hex, or base64 with -b64.
func (st style) encode(data []byte) string {
	if st.base64 {
		return base64.StdEncoding.EncodeToString(data)
	}
	return hex.EncodeToString(data)
}

// ending is how a connection ended.
type ending struct {
	local    bool            // we called Close (the peer may have closed first)
	code     conn.StatusCode // the code and reason we closed with, when local
	reason   string
	closeErr error // what Close returned, when local
	recvErr  error // the error that ended Receive
}

// normal reports whether code ends a connection normally for the exit status.
func normal(code conn.StatusCode) bool {
	return code == conn.StatusNormalClosure || code == conn.StatusGoingAway
}

// verdict returns how the connection ended, in a line, and whether that was
// normal: a closing handshake with 1000 or 1001, whoever started it. peer
// names the other side ("server" or "client").
func (e ending) verdict(peer string) (string, bool) {
	var ce *conn.CloseError
	var pe *frame.ProtocolError
	if errors.As(e.recvErr, &ce) {
		return fmt.Sprintf("closed by the %s: %s", peer, closeText(ce.Code, ce.Reason)), normal(ce.Code)
	}
	// After our own Close, Receive returns ErrClosed itself; anything else
	// means that the connection had failed first, which is what to tell.
	if e.local && (e.recvErr == nil || e.recvErr == conn.ErrClosed) {
		if e.closeErr == nil {
			return "closed: " + closeText(e.code, e.reason), normal(e.code)
		}
		return fmt.Sprintf("closed with %s, but the closing handshake did not complete: %s", e.code, trimPrefix(e.closeErr)), false
	}
	err := e.recvErr
	switch {
	case errors.As(err, &pe):
		return fmt.Sprintf("protocol error: the %s broke the protocol (%s); we closed with %s", peer, strings.TrimPrefix(pe.Reason, "frame: "), pe.Code), false
	case errors.Is(err, ping.ErrTimeout):
		return fmt.Sprintf("the %s stopped answering pings (%s)", peer, trimPrefix(err)), false
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("connection lost: the %s ended TCP without a close frame", peer), false
	case err == nil:
		return "connection ended", false
	}
	return trimPrefix(err), false
}

// closeText shows a close code and its reason.
func closeText(code conn.StatusCode, reason string) string {
	if reason == "" {
		return code.String()
	}
	return fmt.Sprintf("%s %q", code, reason)
}

// dialError explains why Dial failed, in one line.
func dialError(err error, resp *http.Response, timeout time.Duration) string {
	var he *handshake.Error
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var certInvalid x509.CertificateInvalidError
	var tlsVerify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &he) && he.Status != http.StatusSwitchingProtocols:
		s := fmt.Sprintf("handshake refused: HTTP %d %s", he.Status, http.StatusText(he.Status))
		if body := firstLine(resp); body != "" {
			s += ": " + body
		}
		return s
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("connect timeout: no WebSocket connection within %v (-timeout)", timeout)
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &certInvalid), errors.As(err, &tlsVerify):
		return trimPrefix(err) + " (trust its CA with -ca FILE, or skip the check with -insecure)"
	}
	return trimPrefix(err)
}

// firstLine returns the start of a refused handshake's response body.
func firstLine(resp *http.Response) string {
	if resp == nil || resp.Body == nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return printable(strings.TrimSpace(line))
}

// trimPrefix drops the prefixes that the library's errors carry ("conn: ",
// "handshake: ", and conn.ErrClosed's text before a cause): wscat names
// itself, and says that the connection has ended.
func trimPrefix(err error) string {
	s := err.Error()
	for _, p := range []string{"conn: connection closed: ", "conn: ", "handshake: "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}
