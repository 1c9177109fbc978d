package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/ping"
)

// run holds cfg.conns connections for cfg.duration and returns what it saw.
// An error means the soak could not start (listen, dial); what goes wrong
// once it runs is counted in the report.
func run(ctx context.Context, cfg config, logf *log.Logger) (*report, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	policy := ping.Policy{Interval: cfg.ping, Timeout: cfg.ping}
	srv := &http.Server{Handler: echoHandler(policy), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	rep := &report{conns: cfg.conns}
	clients, err := dialAll(ctx, "ws://"+ln.Addr().String()+"/", cfg.conns, policy)
	if err != nil {
		return nil, err
	}
	logf.Printf("wssoak: %d connections open; sampling every %s for %s", cfg.conns, cfg.sample, cfg.duration)

	runCtx, stop := context.WithTimeout(ctx, cfg.duration)
	defer stop()
	payload := make([]byte, cfg.maxSize)
	for i := range payload {
		payload[i] = byte(i*7 + i>>8)
	}
	var wg sync.WaitGroup
	for i, ws := range clients {
		wg.Go(func() { rep.client(runCtx, ws, payload, cfg, uint64(i)) })
	}

	start := time.Now()
	tick := time.NewTicker(cfg.sample)
	minute := time.NewTicker(time.Minute)
	rep.add(sampleNow(0))
	for done := false; !done; {
		select {
		case <-runCtx.Done():
			done = true
		case now := <-tick.C:
			s := sampleNow(now.Sub(start))
			rep.add(s)
			logf.Printf("%s", s)
		case now := <-minute.C:
			m := rep.rtt.take(now.Sub(start))
			rep.minutes = append(rep.minutes, m)
			logf.Printf("%s", m)
		}
	}
	tick.Stop()
	minute.Stop()
	wg.Wait()
	if m := rep.rtt.take(time.Since(start)); m.n > 0 {
		rep.minutes = append(rep.minutes, m)
	}
	for _, ws := range clients {
		select {
		case <-ws.Done():
			rep.lost.Add(1) // ended before we closed it
		default:
		}
		ws.Close(conn.StatusNormalClosure, "")
	}
	return rep, nil
}

// echoHandler accepts every request and echoes every message.
func echoHandler(p ping.Policy) http.Handler {
	opts := &conn.AcceptOptions{Ping: p, InsecureSkipOriginCheck: true}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, opts)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for {
			msg, err := ws.Receive(context.Background())
			if err != nil {
				return
			}
			err = ws.Send(context.Background(), msg.Type, msg.Data)
			msg.Release()
			if err != nil {
				return
			}
		}
	})
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

// client sends a message of random size every cfg.every on average, waits
// for its echo, checks it and records the round trip, until ctx is done.
func (r *report) client(ctx context.Context, ws *conn.Conn, payload []byte, cfg config, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x50a4))
	logMax := math.Log(float64(cfg.maxSize) / 16)
	for {
		// Jitter spreads the clients out: a wait of 0.5 to 1.5 × every.
		wait := time.Duration(float64(cfg.every) * (0.5 + rng.Float64()))
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
			r.note(fmt.Errorf("message: %w", err))
			return
		case !bytes.Equal(msg.Data, payload[:size]):
			r.note(fmt.Errorf("echo of %d bytes came back as %d different bytes", size, len(msg.Data)))
		default:
			r.rtt.add(time.Since(t0))
		}
		msg.Release()
	}
}

// sample is one reading of the process.
type sample struct {
	at         time.Duration
	rss, heap  uint64 // bytes
	goroutines uint64
}

func (s sample) String() string {
	return fmt.Sprintf("%6.0fs  rss %7.1f MiB  heap %7.1f MiB  goroutines %6d",
		s.at.Seconds(), mib(s.rss), mib(s.heap), s.goroutines)
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

var readings = []metrics.Sample{
	{Name: "/gc/heap/live:bytes"},
	{Name: "/sched/goroutines:goroutines"},
	{Name: "/memory/classes/total:bytes"},
}

func sampleNow(at time.Duration) sample {
	metrics.Read(readings)
	s := sample{at: at, heap: readings[0].Value.Uint64(), goroutines: readings[1].Value.Uint64()}
	s.rss = residentBytes()
	if s.rss == 0 { // no /proc: what the Go runtime has mapped
		s.rss = readings[2].Value.Uint64()
	}
	return s
}

// residentBytes reads the resident set size from /proc/self/statm (Linux),
// or returns 0.
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}

// note records a failure; the first few are kept for the report.
func (r *report) note(err error) {
	if r.failed.Add(1) <= 5 {
		r.mu.Lock()
		r.errs = append(r.errs, err)
		r.mu.Unlock()
	}
}
