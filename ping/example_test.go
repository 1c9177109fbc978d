package ping_test

import (
	"fmt"
	"time"

	"github.com/seed865a0254/websocket/ping"
)

// The Keeper is told the time; here a peer answers the first ping and not the second.
func ExampleKeeper() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := ping.NewKeeper(ping.Policy{Interval: 30 * time.Second, Timeout: 10 * time.Second}, start)
	at := func(d time.Duration) time.Time { return start.Add(d) }

	send, err := k.Tick(at(30 * time.Second))
	fmt.Println("at 30s: ping", send, err)
	k.Sent(at(30 * time.Second))
	k.Pong(at(31 * time.Second))

	send, _ = k.Tick(at(60 * time.Second))
	fmt.Println("at 60s: ping", send)
	k.Sent(at(60 * time.Second))
	fmt.Println("look again at", k.Next().Sub(start))

	_, err = k.Tick(at(70 * time.Second))
	fmt.Println("at 70s:", err)
	// Output:
	// at 30s: ping true <nil>
	// at 60s: ping true
	// look again at 1m10s
	// at 70s: ping: no pong within the timeout
}

// A Policy with an Interval and no Timeout detects a dead peer: a ping may
// stay unanswered for one interval. A negative Timeout only keeps pinging.
func ExamplePolicy() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range []ping.Policy{
		{Interval: 20 * time.Second},
		{Interval: 20 * time.Second, Timeout: -1},
	} {
		k := ping.NewKeeper(p, start)
		k.Sent(start.Add(20 * time.Second)) // no pong comes
		send, err := k.Tick(start.Add(40 * time.Second))
		fmt.Println(p.Timeout, "at 40s: ping", send, err)
	}
	// Output:
	// 0s at 40s: ping false ping: no pong within the timeout
	// -1ns at 40s: ping true <nil>
}
