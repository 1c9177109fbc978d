package conn

import (
	"bytes"
	"context"
	"testing"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// SendPrepared and Broadcast do not allocate once the message has been sent
// at the connection's compression level: not on a server, not on a client
// (which masks into its output buffer), with permessage-deflate or without.
func TestPreparedAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts are checked in long mode, without the race detector (it makes sync.Pool drop items)")
	}
	deflate := &Options{Deflate: &handshake.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true}}
	for _, opts := range []*Options{nil, deflate} {
		for _, role := range []frame.Role{frame.Server, frame.Client} {
			for _, size := range []int{16, 1024, 65536} {
				p, err := Prepare(Binary, bytes.Repeat([]byte("x"), size))
				if err != nil {
					t.Fatal(err)
				}
				ws := New(&sinkConn{closed: make(chan struct{})}, nil, role, opts)
				ctx := context.Background()
				ws.SendPrepared(ctx, p) // compresses, once
				allocs := testing.AllocsPerRun(200, func() {
					if err := ws.SendPrepared(ctx, p); err != nil {
						t.Fatal(err)
					}
				})
				if allocs != 0 {
					t.Errorf("%v, deflate %v: SendPrepared of %d bytes: %.1f allocations, want 0", role, opts != nil, size, allocs)
				}
				var g Group
				members := make([]*Conn, 10)
				for i := range members {
					members[i] = New(&sinkConn{closed: make(chan struct{})}, nil, role, opts)
					g.Add(members[i], "")
				}
				g.Broadcast(p)
				allocs = testing.AllocsPerRun(200, func() {
					// A member whose flusher has not caught up yet (64 KiB
					// messages) drops some: the count is not checked here.
					g.Broadcast(p)
				})
				if allocs != 0 {
					t.Errorf("%v, deflate %v: Broadcast of %d bytes to %d members: %.1f allocations, want 0", role, opts != nil, size, len(members), allocs)
				}
				ws.CloseNow()
				for _, m := range members {
					m.CloseNow()
				}
			}
		}
	}
}
