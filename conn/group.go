package conn

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed865a0254/websocket/frame"
)

// Group is a set of connections, each with an optional identifier: a chat
// room, the clients of a server (Sisk's connection registry). A member leaves
// the group by itself when its connection ends. The zero Group is empty and
// ready to use.
//
// [Group.Broadcast] sends one message to every member without letting a
// member that does not read slow the others down: it queues the message on
// each member without waiting, and what happens to a member that cannot take
// it at once (128 KiB of frames already wait for its socket, or it is in the
// middle of a message streamed with [Conn.Writer]) is the group's policy,
// CloseSlowAfter.
//
// [Group.CloseAll] closes every member with a code and a reason within a
// bound, which is what a server needs on shutdown: http.Server.Shutdown does
// not see hijacked connections (see the example of CloseAll).
//
// # Concurrency
//
// All methods are safe for concurrent use. Broadcasts are serialised, so
// every member receives broadcast messages in the same order. CloseSlowAfter
// must not change once the group is used.
type Group struct {
	// CloseSlowAfter is the policy for a member that cannot take a
	// broadcast message at once.
	//
	// Zero (the default): the message is dropped for that member, which
	// stays in the group and receives the next messages it can take.
	// Nothing waits for it and nothing runs for it.
	//
	// Positive: the message waits for that member, with the messages
	// broadcast after it, in order, each for at most CloseSlowAfter; a
	// member that has not taken one in time is closed with
	// StatusPolicyViolation (1008). So a member receives every message or
	// is closed. While messages wait, one goroutine sends them to that
	// member; it ends when they are sent or the member is closed.
	CloseSlowAfter time.Duration

	mu      sync.Mutex
	members map[*Conn]*member
	ids     map[string]*member
	closed  bool // CloseAll was called
}

// member is a connection's entry in a group.
type member struct {
	g  *Group
	ws *Conn
	id string
	// next is the connection's next group (Conn.groups); ws.mu guards it.
	next *member
	// waiting holds the broadcast messages the member could not take at
	// once (CloseSlowAfter > 0), oldest first; g.mu guards it. While it is
	// not empty, a goroutine (serveWaiting) sends them.
	waiting []waitingMessage
}

type waitingMessage struct {
	p        *PreparedMessage
	deadline time.Time
}

var (
	errGroupClosed  = fmt.Errorf("conn: group: closed by CloseAll: %w", ErrClosed)
	errDuplicateID  = errors.New("conn: group: identifier already in use")
	errAlreadyAdded = errors.New("conn: group: connection already a member")
)

// Add makes ws a member of the group, with the identifier id ("" for none;
// identifiers are unique within a group). It returns an error, and adds
// nothing, when ws is already a member, id is in use, ws has ended (the
// error then wraps ErrClosed), or CloseAll was called. ws leaves the group
// by itself when it ends.
func (g *Group) Add(ws *Conn, id string) error {
	if ws == nil {
		return errNilConn
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.closed:
		return errGroupClosed
	case g.members[ws] != nil:
		return errAlreadyAdded
	case id != "" && g.ids[id] != nil:
		return fmt.Errorf("%w: %q", errDuplicateID, id)
	}
	m := &member{g: g, ws: ws, id: id}
	ws.mu.Lock()
	if err := ws.sendErr; err != nil {
		ws.mu.Unlock()
		return err
	}
	// Once the connection has ended, finalize takes this list and drops
	// every entry from its group (leaveGroups); sendErr is set before that.
	m.next, ws.groups = ws.groups, m
	ws.mu.Unlock()
	if g.members == nil {
		g.members = make(map[*Conn]*member)
		g.ids = make(map[string]*member)
	}
	g.members[ws] = m
	if id != "" {
		g.ids[id] = m
	}
	return nil
}

// Remove takes ws out of the group, and reports whether it was a member. It
// does not close ws.
func (g *Group) Remove(ws *Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	m := g.members[ws]
	if m == nil {
		return false
	}
	g.dropLocked(m)
	ws.mu.Lock()
	for p := &ws.groups; *p != nil; p = &(*p).next {
		if *p == m {
			*p = m.next
			break
		}
	}
	ws.mu.Unlock()
	return true
}

// dropLocked takes m out of the group's indexes; g.mu is held.
func (g *Group) dropLocked(m *member) {
	delete(g.members, m.ws)
	if m.id != "" {
		delete(g.ids, m.id)
	}
	m.waiting = nil // its goroutine, if any, sees this and ends
}

// leaveGroups drops a connection that has ended from every group in list
// (Conn.groups, taken by finalize).
func leaveGroups(list *member) {
	for m := list; m != nil; m = m.next {
		g := m.g
		g.mu.Lock()
		if g.members[m.ws] == m {
			g.dropLocked(m)
		}
		g.mu.Unlock()
	}
}

// Lookup returns the member with the identifier id.
func (g *Group) Lookup(id string) (ws *Conn, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if m := g.ids[id]; m != nil && id != "" {
		return m.ws, true
	}
	return nil, false
}

// Len returns the number of members.
func (g *Group) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.members)
}

// All returns an iterator over the members and their identifiers ("" for
// none), in no particular order. It iterates over the members at the time
// of the call; the loop body may call any method of the group.
func (g *Group) All() iter.Seq2[string, *Conn] {
	return func(yield func(string, *Conn) bool) {
		for _, m := range g.snapshot() {
			if !yield(m.id, m.ws) {
				return
			}
		}
	}
}

// snapshot returns the members.
func (g *Group) snapshot() []*member {
	g.mu.Lock()
	defer g.mu.Unlock()
	list := make([]*member, 0, len(g.members))
	for _, m := range g.members {
		list = append(list, m)
	}
	return list
}

// Broadcast sends p to every member and returns the number of members it
// was queued for (or, with CloseSlowAfter, waits for). It never waits for a
// member: each takes p into its output buffer, where its frames wait for its
// socket, or, if it cannot at once, the group's policy applies (see
// CloseSlowAfter). A member that has ended, or whose Close has begun, is
// skipped. A nil p sends nothing.
//
// p is encoded once for all (see [PreparedMessage]); each member copies the
// frame into its output buffer, so a broadcast holds, for a while, a copy of
// p per member: broadcast large messages with care.
func (g *Group) Broadcast(p *PreparedMessage) int {
	if p == nil {
		return 0
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	var now time.Time
	for _, m := range g.members {
		if len(m.waiting) == 0 {
			err := m.ws.sendPrepared(nil, p)
			if err == nil {
				n++
				continue
			}
			if err != errWouldBlock || g.CloseSlowAfter <= 0 {
				continue
			}
		}
		if now.IsZero() {
			now = time.Now()
		}
		m.waiting = append(m.waiting, waitingMessage{p, now.Add(g.CloseSlowAfter)})
		if len(m.waiting) == 1 {
			go g.serveWaiting(m)
		}
		n++
	}
	return n
}

// serveWaiting sends m's waiting messages in order, each within its
// deadline, and closes m with 1008 if one is not taken in time. It ends when
// none is left, or when m has left the group (waiting is then nil).
func (g *Group) serveWaiting(m *member) {
	for {
		g.mu.Lock()
		if len(m.waiting) == 0 {
			g.mu.Unlock()
			return
		}
		w := m.waiting[0]
		g.mu.Unlock()

		ctx, cancel := context.WithDeadline(context.Background(), w.deadline)
		err := m.ws.SendPrepared(ctx, w.p)
		cancel()

		g.mu.Lock()
		if err != nil {
			m.waiting = nil
		} else if len(m.waiting) > 0 {
			m.waiting[0] = waitingMessage{}
			m.waiting = m.waiting[1:]
		}
		g.mu.Unlock()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, ErrClosed) {
				m.ws.Close(StatusPolicyViolation, "too slow to receive")
			}
			return
		}
	}
}

// CloseAll closes every member with code and reason (see [Conn.Close]), all
// at once, and returns once each has ended, or after timeout: the sockets of
// members still open then are closed at once, as Close does after
// CloseTimeout, so that CloseAll returns shortly after timeout whatever the
// peers do. It returns nil if every
// member completed its closing handshake, else an error that says how many
// did not. An invalid code or reason is an error, and nothing is sent.
//
// CloseAll ends the group: a later Add returns an error wrapping ErrClosed.
func (g *Group) CloseAll(code StatusCode, reason string, timeout time.Duration) error {
	if err := frame.CheckClose(code, reason); err != nil {
		return fmt.Errorf("conn: group: close all: %w", err)
	}
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	list := g.snapshot()

	var unclean atomic.Int32
	var wg sync.WaitGroup
	for _, m := range list {
		wg.Go(func() {
			if m.ws.Close(code, reason) != nil {
				unclean.Add(1)
			}
		})
	}
	all := make(chan struct{})
	go func() {
		wg.Wait()
		close(all)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-all:
	case <-timer.C:
		for _, m := range list {
			m.ws.cutClose()
		}
		<-all
	}
	if n := unclean.Load(); n > 0 {
		return fmt.Errorf("conn: group: close all: %d of %d members did not complete the closing handshake", n, len(list))
	}
	return nil
}
