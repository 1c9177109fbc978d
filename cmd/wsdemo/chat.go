package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/seed865a0254/websocket/conn"
)

// chatSlowAfter is how long a chat line may wait for a member whose
// connection cannot take it: then the member is closed with 1008, so that
// no member silently misses lines.
const chatSlowAfter = 10 * time.Second

// maxChatLine bounds a chat line, in bytes.
const maxChatLine = 1000

// chatRoom is the room behind /chat: every member is in one conn.Group,
// under a name given on arrival.
type chatRoom struct {
	members conn.Group
	guests  atomic.Int64 // names the next guest
}

func newChatRoom() *chatRoom {
	return &chatRoom{members: conn.Group{CloseSlowAfter: chatSlowAfter}}
}

// say sends line to every member, encoded once.
func (r *chatRoom) say(line string) {
	if msg, err := conn.Prepare(conn.Text, []byte(line)); err == nil {
		r.members.Broadcast(msg)
	}
}

// chat is the chat room: each text message is a line sent to everyone, as
// "name: text"; "@name text" goes to that member only.
func (d *demo) chat(ctx context.Context, ws *conn.Conn) error {
	r := d.room
	name := fmt.Sprintf("guest-%d", r.guests.Add(1))
	var others []string
	for id := range r.members.All() {
		others = append(others, id)
	}
	slices.Sort(others)
	if err := r.members.Add(ws, name); err != nil {
		return err
	}
	defer r.members.Remove(ws)
	here := "nobody else is here"
	if len(others) > 0 {
		here = "also here: " + strings.Join(others, ", ")
	}
	if err := ws.SendText(ctx, fmt.Sprintf("welcome, you are %s; %s. Type @name to whisper.", name, here)); err != nil {
		return err
	}
	r.say(name + " joined")
	defer r.say(name + " left")
	for {
		msg, err := d.receive(ctx, ws)
		if err != nil {
			return err
		}
		text := strings.TrimSpace(msg.Text())
		switch {
		case msg.Type != conn.Text:
			err = ws.SendText(ctx, "the room takes text only")
		case text == "":
		case len(text) > maxChatLine:
			err = ws.SendText(ctx, fmt.Sprintf("a line is at most %d bytes", maxChatLine))
		case strings.HasPrefix(text, "@"):
			err = r.whisper(ctx, ws, name, text[1:])
		default:
			r.say(name + ": " + text)
		}
		if err != nil {
			return err
		}
	}
}

// whisper sends "to text" (the name of a member, a space, the text) to that
// member only, and confirms it to the sender.
func (r *chatRoom) whisper(ctx context.Context, from *conn.Conn, name, to string) error {
	to, text, _ := strings.Cut(to, " ")
	peer, ok := r.members.Lookup(to)
	if !ok {
		return from.SendText(ctx, fmt.Sprintf("nobody called %q is here", truncate(to, 40)))
	}
	// A whisper waits for a slow member a little, not forever.
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if peer.SendText(pctx, name+" (to you): "+text) != nil {
		return from.SendText(ctx, to+" could not be reached")
	}
	return from.SendText(ctx, "(to "+to+") "+text)
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}
