package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/ping"
)

// The clients run in a child process: the same executable, started by run
// with childEnv holding its orders (childArgs as JSON). Each side then holds
// one descriptor per connection, so 10,000 connections fit under a limit of
// 20,000, and each process's memory is its own side's.
//
// The child tells the parent what it sees as JSON lines on its standard
// output (events), and ends when its run is over or its standard input
// closes (the parent is gone).
const childEnv = "WSSOAK_CLIENTS"

// childArgs are the child's orders.
type childArgs struct {
	URL                           string
	Conns, MaxSize                int
	Duration, Sample, Every, Ping time.Duration
}

// event is one line from the child.
type event struct {
	Kind string // "ready", "sample", "minute", "fail" or "end"

	At                    time.Duration `json:",omitempty"` // sample, minute
	RSS, Heap, Goroutines uint64        `json:",omitempty"` // sample
	N                     int           `json:",omitempty"` // minute
	P50, P99              time.Duration `json:",omitempty"` // minute
	Err                   string        `json:",omitempty"` // fail
	Failed, Lost          int64         `json:",omitempty"` // end
}

// childMain runs the clients as orders (childEnv's value) say and returns
// the exit status.
func childMain(orders string) int {
	var a childArgs
	if err := json.Unmarshal([]byte(orders), &a); err != nil {
		fmt.Fprintln(os.Stderr, "wssoak clients:", err)
		return 2
	}
	raiseFileLimit(uint64(a.Conns + 100))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { // the parent is gone when our standard input closes
		io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	out := &eventWriter{enc: json.NewEncoder(os.Stdout)}
	if err := runClients(ctx, a, out); err != nil {
		out.send(event{Kind: "fail", Err: err.Error()})
		return 1
	}
	return 0
}

// eventWriter sends events from several goroutines, one line each.
type eventWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (w *eventWriter) send(e event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.enc.Encode(e)
}

// runClients dials a.Conns connections, runs a client on each for
// a.Duration and reports as it goes. An error means it could not start.
func runClients(ctx context.Context, a childArgs, out *eventWriter) error {
	policy := ping.Policy{Interval: a.Ping, Timeout: a.Ping}
	clients, err := dialAll(ctx, a.URL, a.Conns, policy)
	if err != nil {
		return err
	}
	out.send(event{Kind: "ready"})

	runCtx, stop := context.WithTimeout(ctx, a.Duration)
	defer stop()
	payload := make([]byte, a.MaxSize)
	for i := range payload {
		payload[i] = byte(i*7 + i>>8)
	}
	var (
		rtt          rttLog
		failed, lost counter
		wg           sync.WaitGroup
	)
	fail := func(err error) {
		if failed.Add(1) <= 5 {
			out.send(event{Kind: "fail", Err: err.Error()})
		}
	}
	for i, ws := range clients {
		wg.Go(func() { client(runCtx, ws, payload, a, uint64(i), &rtt, fail) })
	}

	start := time.Now()
	tick := time.NewTicker(a.Sample)
	minute := time.NewTicker(time.Minute)
	sampleEvent := func(at time.Duration) {
		s := sampleNow(at)
		out.send(event{Kind: "sample", At: s.at, RSS: s.rss, Heap: s.heap, Goroutines: s.goroutines})
	}
	minuteEvent := func(at time.Duration) {
		m := rtt.take(at)
		out.send(event{Kind: "minute", At: m.end, N: m.n, P50: m.p50, P99: m.p99})
	}
	sampleEvent(0)
	for done := false; !done; {
		select {
		case <-runCtx.Done():
			done = true
		case now := <-tick.C:
			sampleEvent(now.Sub(start))
		case now := <-minute.C:
			minuteEvent(now.Sub(start))
		}
	}
	tick.Stop()
	minute.Stop()
	wg.Wait()
	minuteEvent(time.Since(start))
	for _, ws := range clients {
		select {
		case <-ws.Done():
			lost.Add(1) // ended before we closed it
		default:
		}
		ws.Close(conn.StatusNormalClosure, "")
	}
	out.send(event{Kind: "end", Failed: failed.Load(), Lost: lost.Load()})
	return nil
}

// dialAll opens n client connections, 64 handshakes at a time.
func dialAll(ctx context.Context, url string, n int, p ping.Policy) ([]*conn.Conn, error) {
	clients := make([]*conn.Conn, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range clients {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ws, _, err := conn.Dial(ctx, url, &conn.DialOptions{Ping: p})
			if err != nil {
				errs <- err
				return
			}
			clients[i] = ws
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		for _, ws := range clients {
			if ws != nil {
				ws.CloseNow()
			}
		}
		return nil, fmt.Errorf("dial: %w (raise the descriptor limit, or lower -conns)", err)
	}
	return clients, nil
}

// client sends a message of random size every a.Every on average, waits for
// its echo, checks it and records the round trip, until ctx is done.
func client(ctx context.Context, ws *conn.Conn, payload []byte, a childArgs, seed uint64, rtt *rttLog, fail func(error)) {
	rng := rand.New(rand.NewPCG(seed, 0x50a4))
	logMax := math.Log(float64(a.MaxSize) / 16)
	for {
		// Jitter spreads the clients out: a wait of 0.5 to 1.5 × Every.
		wait := time.Duration(float64(a.Every) * (0.5 + rng.Float64()))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		size := int(16 * math.Exp(rng.Float64()*logMax))
		t0 := time.Now()
		err := ws.Send(ctx, conn.Binary, payload[:size])
		var msg conn.Message
		if err == nil {
			msg, err = ws.Receive(ctx)
		}
		switch {
		case ctx.Err() != nil:
			return // the end of the run, not a failure
		case err != nil:
			fail(fmt.Errorf("message: %w", err))
			return
		case !bytes.Equal(msg.Data, payload[:size]):
			fail(fmt.Errorf("echo of %d bytes came back as %d different bytes", size, len(msg.Data)))
		default:
			rtt.add(time.Since(t0))
		}
		msg.Release()
	}
}
