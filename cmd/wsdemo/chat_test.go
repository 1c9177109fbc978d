package main

import (
	"testing"

	"github.com/seed865a0254/websocket/conn"
)

func expectText(t *testing.T, ws *conn.Conn, want string) {
	t.Helper()
	if got := receive(t, ws); got.Type != conn.Text || string(got.Data) != want {
		t.Fatalf("received %v %q, want %q", got.Type, got.Data, want)
	}
}

// Two clients over loopback use /chat together: each sees the other arrive,
// speak and leave; a whisper reaches one member; shutdown closes the room's
// members with 1001.
func TestChat(t *testing.T) {
	d, base := startDemo(t)
	a := dial(t, base+"/chat")
	expectText(t, a, "welcome, you are guest-1; nobody else is here. Type @name to whisper.")
	expectText(t, a, "guest-1 joined")
	b := dial(t, base+"/chat")
	expectText(t, b, "welcome, you are guest-2; also here: guest-1. Type @name to whisper.")
	for _, ws := range []*conn.Conn{a, b} {
		expectText(t, ws, "guest-2 joined")
	}

	send(t, a, conn.Text, "hello, room")
	for _, ws := range []*conn.Conn{a, b} {
		expectText(t, ws, "guest-1: hello, room")
	}
	send(t, b, conn.Text, "  hi  ")
	for _, ws := range []*conn.Conn{a, b} {
		expectText(t, ws, "guest-2: hi")
	}

	send(t, b, conn.Text, "@guest-1 only for you")
	expectText(t, a, "guest-2 (to you): only for you")
	expectText(t, b, "(to guest-1) only for you")
	send(t, b, conn.Text, "@guest-9 anyone?")
	expectText(t, b, `nobody called "guest-9" is here`)
	send(t, b, conn.Binary, "\x00")
	expectText(t, b, "the room takes text only")

	if err := b.Close(conn.StatusNormalClosure, ""); err != nil {
		t.Fatalf("close: %v", err)
	}
	expectText(t, a, "guest-2 left")
	if n := d.room.members.Len(); n != 1 {
		t.Errorf("%d members after guest-2 left, want 1", n)
	}

	ctx := t.Context()
	if err := d.shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	expectClose(t, a, conn.StatusGoingAway, "server shutting down")
}
