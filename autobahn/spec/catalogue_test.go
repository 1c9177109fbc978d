package spec

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/seed865a0254/websocket/frame"
)

func TestCatalogueShape(t *testing.T) {
	cs := Cases()
	if len(cs) < 200 {
		t.Fatalf("the catalogue has %d cases, want at least 200", len(cs))
	}
	seen := map[string]bool{}
	for _, c := range cs {
		if seen[c.ID] {
			t.Errorf("case ID %q appears twice", c.ID)
		}
		seen[c.ID] = true
		switch {
		case c.Description == "":
			t.Errorf("%s: no description", c.ID)
		case !strings.Contains(c.Requirement, "RFC 6455 §") && !strings.Contains(c.Requirement, "RFC 7692 §"):
			t.Errorf("%s: the requirement does not quote RFC 6455 or RFC 7692 with a section: %q", c.ID, c.Requirement)
		case (strings.HasPrefix(c.ID, "12.") || strings.HasPrefix(c.ID, "13.")) && !strings.Contains(c.Requirement, "RFC 7692 §"):
			t.Errorf("%s: a permessage-deflate case that does not quote RFC 7692: %q", c.ID, c.Requirement)
		case (c.Settings.Deflate == nil) != (c.Settings.Compression == nil):
			t.Errorf("%s: Settings.Deflate and Settings.Compression go together", c.ID)
		case len(c.Steps) == 0:
			t.Errorf("%s: no steps", c.ID)
		case c.Want.Closer != Peer && c.Want.Closer != Endpoint:
			t.Errorf("%s: no closer", c.ID)
		case len(c.Want.Codes) == 0:
			t.Errorf("%s: no close code expected", c.ID)
		case c.Want.Linger && c.Settings.CloseTimeout == 0:
			t.Errorf("%s: a lingering case must shorten the endpoint's close timeout", c.ID)
		}
		compressed := false
		for _, s := range c.Steps {
			if s.Kind == AwaitClose && c.Want.Closer != Endpoint {
				t.Errorf("%s: awaits a close the endpoint is not expected to start", c.ID)
			}
			if s.Kind == SendCompressed && c.Settings.Deflate == nil {
				t.Errorf("%s: sends compressed messages without an agreement", c.ID)
			}
			for _, e := range s.Events {
				compressed = compressed || e.Compressed
			}
		}
		for _, e := range c.Want.Events {
			compressed = compressed || e.Compressed
		}
		if compressed && c.Settings.Deflate == nil {
			t.Errorf("%s: expects a compressed message without an agreement", c.ID)
		}
	}
	// The testsuite's sections 1-7 and 10, all of them.
	for _, id := range []string{"1.1.8", "1.2.8", "2.11", "3.7", "4.2.5", "5.20", "6.4.4", "6.23.7", "7.7.13", "7.9.9", "7.13.2", "10.1.1"} {
		if !seen[id] {
			t.Errorf("case %s is missing", id)
		}
	}
	if seen["6.23.8"] || seen["7.9.10"] {
		t.Error("the catalogue has cases the testsuite does not")
	}
	// Sections 12 and 13: a few sizes of each subsection; 13.4 and 13.6
	// would repeat 13.1 and 13.2 without a handshake.
	for _, id := range []string{"12.1.1", "12.2.10", "12.3.11", "12.4.4", "12.5.5", "13.1.1", "13.2.2", "13.3.11", "13.5.10", "13.7.3"} {
		if !seen[id] {
			t.Errorf("case %s is missing", id)
		}
	}
	if seen["12.6.1"] || seen["12.1.19"] || seen["13.4.1"] || seen["13.6.1"] || seen["13.8.1"] {
		t.Error("the catalogue has deflate cases it should not")
	}
}

// The validity of each UTF-8 test sequence, written by hand from the
// testsuite, agrees with the standard library's decoder.
func TestUTF8SequencesAgreeWithStdlib(t *testing.T) {
	n := 0
	for _, g := range utf8Sequences() {
		for _, s := range g.seqs {
			n++
			if got := utf8.ValidString(s.payload); got != s.valid {
				t.Errorf("%s: %x marked valid=%v, utf8.ValidString says %v", g.name, s.payload, s.valid, got)
			}
		}
	}
	if n != 132 {
		t.Errorf("%d sequences, the testsuite has 132", n)
	}
}

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			t.Error(err)
		}
		accepted <- c
	}()
	dialed, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return <-accepted, dialed
}

// runReference plays c against a reference endpoint in role.
func runReference(t *testing.T, c Case, role frame.Role, broken string) error {
	endpoint, peerEnd := tcpPair(t)
	served := make(chan struct{})
	go func() {
		reference{role: role, set: c.Settings, broken: broken}.serve(endpoint)
		close(served)
	}()
	as := frame.Client
	if role == frame.Client {
		as = frame.Server
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := Run(ctx, peerEnd, as, c)
	<-served
	return err
}

// Every case passes against the reference endpoint, as a server and as a
// client: the catalogue is consistent, and the peer accepts correct
// behaviour.
func TestCatalogueAgainstReference(t *testing.T) {
	for _, role := range []frame.Role{frame.Server, frame.Client} {
		t.Run(role.String(), func(t *testing.T) {
			for _, c := range Cases() {
				t.Run(c.ID, func(t *testing.T) {
					t.Parallel()
					if err := runReference(t, c, role, ""); err != nil {
						t.Error(err)
					}
				})
			}
		})
	}
}

// The peer catches an endpoint that breaks a rule, and says what it
// expected and what it saw.
func TestPeerCatchesBrokenEndpoints(t *testing.T) {
	tests := []struct {
		name     string
		broken   string
		id       string
		role     frame.Role
		expected string
		actual   string
	}{
		{name: "no pong", broken: "no pongs", id: "2.2", role: frame.Server,
			expected: `pong with payload "Hello, world!"`, actual: "nothing within"},
		{name: "close code not echoed", broken: "close 1000", id: "7.7.2", role: frame.Server,
			expected: "close frame with 1001", actual: "close frame with code 1000"},
		{name: "empty close answered with a code", broken: "close 1000", id: "7.3.1", role: frame.Client,
			expected: "close frame with empty payload", actual: "close frame with code 1000"},
		{name: "invalid text echoed", broken: "lenient utf8", id: "6.3.1", role: frame.Server,
			expected: "close frame with 1007", actual: "illegal frame: text message is not valid UTF-8"},
		{name: "no fail fast", broken: "lenient utf8", id: "6.4.1", role: frame.Client,
			expected: "close frame with 1007 before the rest is sent", actual: "nothing within"},
		{name: "never drops after failing", broken: "no half-close", id: "conn.25", role: frame.Server,
			expected: "the endpoint closes the TCP connection by itself", actual: "still open"},
		{name: "the peer's context forgotten", broken: "forget the peer's context", id: "13.1.3", role: frame.Server,
			expected: "compressed text message of 256 bytes", actual: "close frame with code 1007"},
		{name: "context kept against the agreement", broken: "keep context", id: "13.2.3", role: frame.Client,
			expected: "compressed text message of 256 bytes", actual: "illegal frame: text message: a compressed message that does not inflate"},
		{name: "the window ignored", broken: "ignore the window", id: "13.3.10", role: frame.Server,
			expected: "compressed text message of 131072 bytes", actual: "past the sender's agreed LZ77 window"},
		{name: "RSV1 on a continuation", broken: "rsv1 on continuations", id: "conn.27", role: frame.Client,
			expected: "compressed text message of 5 bytes", actual: "continuation frame with RSV1 set"},
		{name: "echoes not compressed", broken: "never compress", id: "12.1.4", role: frame.Server,
			expected: "compressed text message of 1024 bytes", actual: "text message of 1024 bytes"},
	}
	cases := map[string]Case{}
	for _, c := range Cases() {
		cases[c.ID] = c
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ok := cases[tt.id]
			if !ok {
				t.Fatalf("no case %s", tt.id)
			}
			err := runReference(t, c, tt.role, tt.broken)
			var f *Failure
			if !errors.As(err, &f) {
				t.Fatalf("Run = %v, want a *Failure", err)
			}
			if !strings.Contains(f.Expected, tt.expected) || !strings.Contains(f.Actual, tt.actual) {
				t.Errorf("expected %q, actual %q; want them to contain %q and %q", f.Expected, f.Actual, tt.expected, tt.actual)
			}
			if msg := f.Error(); !strings.Contains(msg, c.Requirement) || !strings.Contains(msg, "transcript") {
				t.Errorf("the report lacks the requirement or the transcript:\n%s", msg)
			}
		})
	}
}
