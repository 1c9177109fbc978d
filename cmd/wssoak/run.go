package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/ping"
)

// run serves cfg.conns connections, whose clients it starts in a child
// process (clients.go), for cfg.duration, and returns what both processes
// saw. An error means the soak could not start (listen, start the child,
// dial); what goes wrong once it runs is in the report.
func run(ctx context.Context, cfg config, logf *log.Logger) (*report, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	policy := ping.Policy{Interval: cfg.ping, Timeout: cfg.ping}
	srv := &http.Server{Handler: echoHandler(policy), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	events, stop, err := startClients(ctx, childArgs{
		URL: "ws://" + ln.Addr().String() + "/", Conns: cfg.conns, MaxSize: cfg.maxSize,
		Duration: cfg.duration, Sample: cfg.sample, Every: cfg.every, Ping: cfg.ping,
	})
	if err != nil {
		return nil, err
	}
	defer stop()
	for e := range events {
		switch e.Kind {
		case "fail":
			return nil, errors.New("clients: " + e.Err)
		case "ready":
			return watch(ctx, cfg, events, stop, logf), nil
		}
	}
	return nil, fmt.Errorf("clients: ended before they were ready: %v", stop())
}

// watch samples this process while the clients run, and gathers what they
// report until their process ends.
func watch(ctx context.Context, cfg config, events <-chan event, stop func() error, logf *log.Logger) *report {
	logf.Printf("wssoak: %d connections open; sampling every %s for %s", cfg.conns, cfg.sample, cfg.duration)
	rep := &report{conns: cfg.conns}
	start := time.Now()
	tick := time.NewTicker(cfg.sample)
	defer tick.Stop()
	runCtx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	rep.samples = append(rep.samples, sampleNow(0))
	ended := false
	over := runCtx.Done()
	for {
		select {
		case <-over: // sampling ends; the clients' last events are still to come
			tick.Stop()
			over = nil
		case now := <-tick.C:
			s := sampleNow(now.Sub(start))
			rep.samples = append(rep.samples, s)
			logf.Printf("server  %s", s)
		case e, ok := <-events:
			if !ok {
				if err := stop(); !ended {
					rep.failed++
					rep.errs = append(rep.errs, fmt.Errorf("the clients' process ended early: %v", err))
				}
				return rep
			}
			switch e.Kind {
			case "sample":
				s := sample{at: e.At, rss: e.RSS, heap: e.Heap, goroutines: e.Goroutines}
				rep.clients = append(rep.clients, s)
				logf.Printf("clients %s", s)
			case "minute":
				m := minute{end: e.At, n: e.N, p50: e.P50, p99: e.P99}
				rep.minutes = append(rep.minutes, m)
				logf.Printf("%s", m)
			case "fail":
				rep.errs = append(rep.errs, errors.New(e.Err))
			case "end":
				ended = true
				rep.failed += e.Failed
				rep.lost += e.Lost
			}
		}
	}
}

// startClients starts the child process with its orders and returns its
// events, which end when it does, and stop, which tells it to end (by
// closing its standard input), waits for it and returns how it ended.
func startClients(ctx context.Context, a childArgs) (<-chan event, func() error, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	orders, err := json.Marshal(a)
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), childEnv+"="+string(orders))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("clients: %w", err)
	}
	events := make(chan event)
	go func() {
		defer close(events) // after the last read of stdout
		dec := json.NewDecoder(stdout)
		for {
			var e event
			if dec.Decode(&e) != nil {
				return
			}
			events <- e
		}
	}()
	stop := sync.OnceValue(func() error {
		stdin.Close()
		for range events { // Wait closes stdout: read it to the end first
		}
		return cmd.Wait()
	})
	return events, stop, nil
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

// sample is one reading of a process.
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
