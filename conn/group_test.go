package conn_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
)

// loopbackConns returns n connected pairs of TCP sockets over loopback,
// made through one listener: ours[i] is connected to peers[i].
func loopbackConns(t testing.TB, n int) (ours, peers []net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, n)
	go func() {
		for range n {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	byPeer := map[string]int{}
	for i := range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		peers = append(peers, c)
		byPeer[c.LocalAddr().String()] = i
	}
	ours = make([]net.Conn, n)
	for range n {
		c, ok := <-accepted
		if !ok {
			t.Fatal("accept failed")
		}
		ours[byPeer[c.RemoteAddr().String()]] = c
	}
	t.Cleanup(func() {
		for i := range n {
			ours[i].Close()
			peers[i].Close()
		}
	})
	return ours, peers
}

// groupPairs returns n server connections (the members to be) and their
// clients, over loopback TCP.
func groupPairs(t testing.TB, n int, so, co *conn.Options) (servers, clients []*conn.Conn) {
	t.Helper()
	ours, peers := loopbackConns(t, n)
	for i := range n {
		servers = append(servers, conn.New(ours[i], nil, frame.Server, so))
		clients = append(clients, conn.New(peers[i], nil, frame.Client, co))
	}
	t.Cleanup(func() {
		var wg sync.WaitGroup
		for _, ws := range append(slices.Clone(servers), clients...) {
			wg.Go(func() { ws.CloseNow() })
		}
		wg.Wait()
	})
	return servers, clients
}

// silentMember returns a server connection whose peer reads nothing (until
// the test starts its raw peer reading), with socket buffers of buf bytes,
// so that frames pile up in our output buffer soon. (With buffers much
// smaller than tcpBuffer, a peer that reads again after a long stall may
// wait seconds for Linux's zero-window probes.)
func silentMember(t *testing.T, opts *conn.Options, buf int) (*conn.Conn, *rawPeer) {
	t.Helper()
	ours, peers := loopbackConns(t, 1)
	for _, c := range []net.Conn{ours[0], peers[0]} {
		c.(*net.TCPConn).SetReadBuffer(buf)
		c.(*net.TCPConn).SetWriteBuffer(buf)
	}
	ws := conn.New(ours[0], nil, frame.Server, opts)
	p := &rawPeer{nc: peers[0], client: true, stop: make(chan struct{})}
	t.Cleanup(func() {
		p.nc.Close()
		closeAndWait(t, ws, "silent member")
		close(p.stop)
	})
	return ws, p
}

func ids(g *conn.Group) []string {
	var list []string
	for id := range g.All() {
		list = append(list, id)
	}
	sort.Strings(list)
	return list
}

// Members are added with identifiers or without, found by identifier,
// iterated and counted; misuse is refused with an error.
func TestGroupMembership(t *testing.T) {
	servers, _ := groupPairs(t, 4, nil, nil)
	var g conn.Group
	for i, id := range []string{"alice", "bob", "", ""} {
		if err := g.Add(servers[i], id); err != nil {
			t.Fatalf("Add(%q): %v", id, err)
		}
	}
	if err := g.Add(servers[0], "carol"); err == nil {
		t.Error("Add of a member again: no error")
	}
	extra, _ := groupPairs(t, 1, nil, nil)
	if err := g.Add(extra[0], "alice"); err == nil {
		t.Error("Add with an identifier in use: no error")
	}
	if err := g.Add(nil, ""); err == nil {
		t.Error("Add(nil): no error")
	}
	if g.Len() != 4 {
		t.Fatalf("Len = %d, want 4", g.Len())
	}
	if diff := cmp.Diff([]string{"", "", "alice", "bob"}, ids(&g)); diff != "" {
		t.Errorf("identifiers from All (-want +got):\n%s", diff)
	}
	if ws, ok := g.Lookup("bob"); !ok || ws != servers[1] {
		t.Errorf("Lookup(bob) = %p, %v; want %p", ws, ok, servers[1])
	}
	if _, ok := g.Lookup(""); ok {
		t.Error("Lookup(\"\") found a member")
	}
	if _, ok := g.Lookup("nobody"); ok {
		t.Error("Lookup(nobody) found a member")
	}
	// The loop body may change the group.
	for id, ws := range g.All() {
		if id == "alice" {
			g.Remove(ws)
		}
	}
	if _, ok := g.Lookup("alice"); ok || g.Len() != 3 {
		t.Errorf("after Remove(alice): Lookup found %v, Len %d; want gone, 3", ok, g.Len())
	}
	if g.Remove(servers[0]) {
		t.Error("Remove of a non-member reported true")
	}
	if err := g.Add(servers[0], "alice"); err != nil {
		t.Errorf("Add after Remove: %v", err)
	}
	if isDone(servers[0]) {
		t.Error("Remove closed the connection")
	}
	servers[3].CloseNow()
	if err := g.Add(extra[0], ""); err != nil {
		t.Fatal(err)
	}
	extra[0].CloseNow()
	if err := g.Add(extra[0], "late"); !errors.Is(err, conn.ErrClosed) {
		t.Errorf("Add of an ended connection: %v, want an error wrapping ErrClosed", err)
	}
}

// A member leaves the group by itself when its connection ends, however it
// ends: our CloseNow or Close, the peer's close frame, TCP lost.
func TestGroupRemovesEndedMembers(t *testing.T) {
	servers, clients := groupPairs(t, 4, &conn.Options{CloseTimeout: time.Second}, nil)
	var g, other conn.Group
	names := []string{"closenow", "close", "peer-close", "tcp-lost"}
	for i, ws := range servers {
		if err := g.Add(ws, names[i]); err != nil {
			t.Fatal(err)
		}
		other.Add(ws, "") // a connection may be in several groups
	}
	go clients[1].Receive(context.Background()) // answers our close
	endings := []func(){
		func() { servers[0].CloseNow() },
		func() { servers[1].Close(conn.StatusNormalClosure, "") },
		func() { go clients[2].Close(conn.StatusNormalClosure, "") },
		func() { clients[3].CloseNow() }, // no close frame: TCP ends
	}
	for i, end := range endings {
		end()
		waitDone(t, servers[i], soon)
		if _, ok := g.Lookup(names[i]); ok {
			t.Errorf("%s: still found once Done is closed", names[i])
		}
		if want := len(servers) - 1 - i; g.Len() != want || other.Len() != want {
			t.Errorf("%s: Len = %d and %d, want %d", names[i], g.Len(), other.Len(), want)
		}
	}
}

// index returns the message number written in the first 4 bytes.
func index(b []byte) int {
	if len(b) < 4 {
		return -1
	}
	return int(binary.BigEndian.Uint32(b))
}

func numberedMessage(i, size int) []byte {
	b := bytes.Repeat([]byte{byte(i)}, size)
	binary.BigEndian.PutUint32(b, uint32(i))
	return b
}

// TestBroadcastSlowMember broadcasts to 1,000 members (100 under the race
// detector) over loopback TCP, once
// without and once with a member whose peer reads nothing: the broadcast
// returns, every other member receives every message in order, and, with
// CloseSlowAfter, the silent member is closed and leaves the group. The others' delivery times are logged for both runs (not
// asserted: the machine is shared).
func TestBroadcastSlowMember(t *testing.T) {
	const msgs, size = 48, 4 << 10 // 192 KiB each: more than the silent member holds
	members := 1000
	if conn.RaceEnabled {
		members = 100 // the race detector makes 1,000 take a minute
	}
	bound := 2 * time.Second
	servers, clients := groupPairs(t, members, nil, nil)
	g := &conn.Group{CloseSlowAfter: bound}
	for _, ws := range servers {
		if err := g.Add(ws, ""); err != nil {
			t.Fatal(err)
		}
	}
	prepared := make([]*conn.PreparedMessage, msgs)
	for i := range prepared {
		prepared[i] = prepare(t, conn.Binary, numberedMessage(i, size))
	}

	run := func(name string) {
		var mu sync.Mutex
		var times []time.Duration
		var wg sync.WaitGroup
		start := time.Now()
		for _, c := range clients {
			wg.Go(func() {
				ctx := testCtx(t, 30*time.Second)
				for i := range msgs {
					msg, err := c.Receive(ctx)
					if err != nil {
						t.Errorf("%s: Receive of message %d: %v", name, i, err)
						return
					}
					if got := index(msg.Data); got != i || len(msg.Data) != size {
						t.Errorf("%s: message %d arrived as number %d, %d bytes", name, i, got, len(msg.Data))
						return
					}
					msg.Release()
				}
				mu.Lock()
				times = append(times, time.Since(start))
				mu.Unlock()
			})
		}
		var spent time.Duration
		within(t, 30*time.Second, "the broadcasts", func() {
			for _, p := range prepared {
				g.Broadcast(p)
			}
			spent = time.Since(start)
		})
		wg.Wait()
		if len(times) != members {
			t.Fatalf("%s: %d of %d members received everything", name, len(times), members)
		}
		slices.Sort(times)
		t.Logf("%s: %d broadcasts of %d B to %d members took %v to queue; the others had everything after: median %v, 99th percentile %v, last %v",
			name, msgs, size, g.Len(), spent.Round(time.Millisecond), times[len(times)/2].Round(time.Millisecond),
			times[len(times)*99/100].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond))
	}

	run("warm-up") // the first run pays for buffers and stacks
	run("without a silent member")
	silent, _ := silentMember(t, &conn.Options{CloseTimeout: time.Second}, 4096)
	if err := g.Add(silent, "silent"); err != nil {
		t.Fatal(err)
	}
	run("with a silent member")
	// Its messages waited longer than the bound: it is closed (with 1008;
	// TestBroadcastClosesSlowMember reads the frame), and it leaves.
	waitDone(t, silent, bound+time.Second+soon)
	if _, ok := g.Lookup("silent"); ok || g.Len() != members {
		t.Errorf("after the silent member ended: found %v, Len %d, want gone and %d", ok, g.Len(), members)
	}
}

// With CloseSlowAfter, a member that does not take a message in time is
// closed with 1008, after the messages it took, whole and in order; the
// others receive everything.
func TestBroadcastClosesSlowMember(t *testing.T) {
	const readers, msgs, size = 3, 100, 4 << 10 // 400 KiB: more than the silent member holds
	bound := 300 * time.Millisecond
	servers, clients := groupPairs(t, readers, nil, nil)
	g := &conn.Group{CloseSlowAfter: bound}
	for _, ws := range servers {
		g.Add(ws, "")
	}
	silent, peer := silentMember(t, &conn.Options{CloseTimeout: 10 * time.Second}, tcpBuffer)
	g.Add(silent, "silent")
	ctx := testCtx(t, 20*time.Second)
	for i := range msgs {
		if n := g.Broadcast(prepare(t, conn.Binary, numberedMessage(i, size))); n != readers+1 {
			t.Fatalf("message %d queued for %d members, want all %d (the silent one waits)", i, n, readers+1)
		}
	}
	for _, c := range clients {
		for i := range msgs {
			msg, err := c.Receive(ctx)
			if err != nil || index(msg.Data) != i {
				t.Fatalf("reader: message %d: number %d, %v", i, index(msg.Data), err)
			}
		}
	}
	time.Sleep(2 * bound)
	peer.startReading()
	for i := 0; ; i++ {
		f := peer.next(t, soon)
		if f.Opcode == frame.OpClose {
			code, _, err := frame.ParseClose(f.Payload)
			if err != nil || code != frame.StatusPolicyViolation {
				t.Fatalf("close frame %v %v, want 1008", code, err)
			}
			if i >= msgs {
				t.Fatalf("all %d messages reached the silent member before the close, want fewer", i)
			}
			t.Logf("the silent member had taken %d of %d messages when it was closed with 1008", i, msgs)
			break
		}
		if f.Opcode != frame.OpBinary || !f.Fin || index(f.Payload) != i || len(f.Payload) != size {
			t.Fatalf("silent member's frame %d: %v fin=%v number %d, %d bytes", i, f.Opcode, f.Fin, index(f.Payload), len(f.Payload))
		}
	}
	peer.nc.Close()
	waitDone(t, silent, soon)
	if _, ok := g.Lookup("silent"); ok || g.Len() != readers {
		t.Errorf("after the silent member ended: found %v, Len %d, want gone and %d", ok, g.Len(), readers)
	}
}

// With the default policy a member that cannot take a message at once
// misses it, and nothing else changes: the others receive everything, the
// member stays, and it receives what comes once its peer reads again. The
// broadcasts go in lockstep with the readers, so only the silent member can
// fall behind.
func TestBroadcastDropsForSlowMember(t *testing.T) {
	const readers, msgs, size = 3, 100, 4 << 10
	servers, clients := groupPairs(t, readers, nil, nil)
	var g conn.Group
	for _, ws := range servers {
		g.Add(ws, "")
	}
	silent, peer := silentMember(t, nil, tcpBuffer)
	g.Add(silent, "silent")
	var kept []int // the messages queued for the silent member
	ctx := testCtx(t, 20*time.Second)
	for i := range msgs {
		n := g.Broadcast(prepare(t, conn.Binary, numberedMessage(i, size)))
		if n < readers || n > readers+1 {
			t.Fatalf("message %d queued for %d members, want %d or %d", i, n, readers, readers+1)
		}
		if n == readers+1 {
			kept = append(kept, i)
		}
		for _, c := range clients {
			msg, err := c.Receive(ctx)
			if err != nil || index(msg.Data) != i {
				t.Fatalf("reader: message %d: number %d, %v", i, index(msg.Data), err)
			}
		}
	}
	dropped := msgs - len(kept)
	if dropped == 0 {
		t.Fatalf("the silent member took all %d messages of %d B", msgs, size)
	}
	if _, ok := g.Lookup("silent"); !ok || isDone(silent) {
		t.Fatal("the silent member left the group or ended")
	}
	// Its peer, reading at last, finds exactly the messages queued for it,
	// whole and in order.
	peer.startReading()
	for _, i := range kept {
		f := peer.next(t, soon)
		if index(f.Payload) != i || len(f.Payload) != size {
			t.Fatalf("silent member: message number %d, %d bytes; want number %d", index(f.Payload), len(f.Payload), i)
		}
	}
	if n := g.Broadcast(prepare(t, conn.Binary, []byte("\x00\x00\x03\xe7 back"))); n != readers+1 {
		t.Fatalf("once its peer reads, a broadcast reached %d members, want %d", n, readers+1)
	}
	if f := peer.next(t, soon); !strings.HasSuffix(string(f.Payload), "back") {
		t.Fatalf("silent member, reading again: %q, want the new message", f.Payload)
	}
	t.Logf("the silent member took %d messages of %d B and missed %d", len(kept), size, dropped)
}

// CloseAll sends 1001 to every member and returns within its bound even when
// some peers never answer (their CloseTimeout is far longer); the group is
// then empty and refuses new members.
func TestGroupCloseAll(t *testing.T) {
	const answering, silentOnes = 12, 3
	long := &conn.Options{CloseTimeout: 30 * time.Second}
	servers, clients := groupPairs(t, answering, long, nil)
	var g conn.Group
	for _, ws := range servers {
		g.Add(ws, "")
	}
	results := make(chan error, answering)
	for _, c := range clients {
		go func() {
			_, err := c.Receive(context.Background())
			results <- err
		}()
	}
	var peers []*rawPeer
	for range silentOnes {
		ws, p := silentMember(t, long, tcpBuffer)
		g.Add(ws, "")
		peers = append(peers, p)
	}
	const bound = time.Second
	var err error
	took := within(t, bound+soon, "CloseAll", func() {
		err = g.CloseAll(conn.StatusGoingAway, "server shutting down", bound)
	})
	if took < bound {
		t.Errorf("CloseAll returned after %v, before its bound, with %d peers silent", took, silentOnes)
	}
	if want := fmt.Sprintf("%d of %d members", silentOnes, answering+silentOnes); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("CloseAll: %v, want an error saying %q", err, want)
	}
	for range answering {
		var ce *conn.CloseError
		if err := <-results; !errors.As(err, &ce) || ce.Code != conn.StatusGoingAway || ce.Reason != "server shutting down" {
			t.Errorf("client's Receive: %v, want the close frame 1001 \"server shutting down\"", err)
		}
	}
	for _, p := range peers {
		p.startReading()
		if reason := p.expectClose(t, frame.StatusGoingAway); reason != "server shutting down" {
			t.Errorf("silent peer: close reason %q", reason)
		}
	}
	if g.Len() != 0 {
		t.Errorf("Len after CloseAll = %d, want 0", g.Len())
	}
	extra, _ := groupPairs(t, 1, nil, nil)
	if err := g.Add(extra[0], ""); !errors.Is(err, conn.ErrClosed) {
		t.Errorf("Add after CloseAll: %v, want an error wrapping ErrClosed", err)
	}
	if err := g.CloseAll(conn.StatusCode(1005), "", time.Second); err == nil {
		t.Error("CloseAll with code 1005: no error")
	}
}

// When every member answers, CloseAll returns nil without waiting for its
// bound.
func TestGroupCloseAllClean(t *testing.T) {
	servers, clients := groupPairs(t, 5, nil, nil)
	var g conn.Group
	for i, ws := range servers {
		g.Add(ws, "")
		go clients[i].Receive(context.Background())
	}
	within(t, soon, "CloseAll", func() {
		if err := g.CloseAll(conn.StatusNormalClosure, "", time.Minute); err != nil {
			t.Errorf("CloseAll: %v", err)
		}
	})
}

// BenchmarkBroadcast sends one message to 1,000 members over loopback TCP,
// whose peers receive in a goroutine each: with Group.Broadcast, and, as the
// yardstick, with Send to each member in a loop. An operation is one message
// to every member, delivered: the timer runs until every peer has received
// every message. ns/member divides by the members.
func BenchmarkBroadcast(b *testing.B) {
	const members = 1000
	servers, clients := groupPairs(b, members, nil, nil)
	var g conn.Group
	for _, ws := range servers {
		g.Add(ws, "")
	}
	var received atomic.Int64
	for _, c := range clients {
		go func() {
			for {
				msg, err := c.Receive(context.Background())
				if err != nil {
					return
				}
				msg.Release()
				received.Add(1)
			}
		}()
	}
	waitFor := func(n int64) {
		for received.Load() < n {
			time.Sleep(50 * time.Microsecond)
		}
	}
	for _, size := range []int{128, 4 << 10} {
		data := bytes.Repeat([]byte("x"), size)
		p, _ := conn.Prepare(conn.Binary, data)
		b.Run(fmt.Sprintf("%d/Broadcast", size), func(b *testing.B) {
			b.ReportAllocs()
			var queued int64
			start := received.Load()
			for b.Loop() {
				queued += int64(g.Broadcast(p))
			}
			waitFor(start + queued)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*members), "ns/member")
			b.ReportMetric(float64(int64(b.N)*members-queued)/float64(b.N), "dropped/op")
		})
		b.Run(fmt.Sprintf("%d/SendLoop", size), func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			start := received.Load()
			for b.Loop() {
				for _, ws := range servers {
					if err := ws.Send(ctx, conn.Binary, data); err != nil {
						b.Fatal(err)
					}
				}
			}
			waitFor(start + int64(b.N)*members)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*members), "ns/member")
		})
	}
}
