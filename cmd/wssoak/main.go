// Command wssoak holds many WebSocket connections over loopback for a long
// time and watches whether anything grows: a server and its clients, all of
// this library, each side in a process of its own (the clients run in a child
// started from the same executable); every client is pinged by the server
// and pings it, and sends messages of random sizes at a steady rate, each
// echoed back and checked.
//
//	wssoak -conns 10000 -duration 10m -svg soak.svg
//
// Every -sample (10 s) it records each process's resident memory, the live
// heap (after the last garbage collection) and the number of goroutines;
// every minute it prints the round trips' median and 99th percentile. At the
// end it fits a line to each series (Theil-Sen: the median of the slopes
// between every two samples), leaving out the first half of the run
// (warm-up), and reports its trend per hour. The run passes when no
// connection or message was lost and, in both processes, neither memory
// series grows by more than -max-growth of its mean per hour, nor the
// goroutines by more than 1%;
// the exit status is 1 otherwise. -svg writes the samples as a plot.
//
// Each connection costs one file descriptor in each process: 10,000
// connections need a descriptor limit above 10,000, which wssoak raises
// where the process may.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"time"
)

type config struct {
	conns    int
	duration time.Duration
	sample   time.Duration
	every    time.Duration // mean time between one client's messages
	maxSize  int
	ping     time.Duration
	growth   float64 // largest memory trend per hour, as a fraction of the mean
	svg      string
}

func main() {
	if orders := os.Getenv(childEnv); orders != "" {
		os.Exit(childMain(orders))
	}
	cfg := config{}
	flag.IntVar(&cfg.conns, "conns", 10_000, "connections to hold")
	flag.DurationVar(&cfg.duration, "duration", 10*time.Minute, "how long to hold them")
	flag.DurationVar(&cfg.sample, "sample", 10*time.Second, "time between samples")
	flag.DurationVar(&cfg.every, "every", 2*time.Second, "mean time between one client's messages")
	flag.IntVar(&cfg.maxSize, "max-size", 16<<10, "largest message in bytes (sizes are log-uniform from 16)")
	flag.DurationVar(&cfg.ping, "ping", 20*time.Second, "ping interval and timeout, both sides")
	flag.Float64Var(&cfg.growth, "max-growth", 0.2, "largest memory trend per hour that passes, as a fraction of the mean")
	flag.StringVar(&cfg.svg, "svg", "", "write the samples as an SVG plot to this file")
	flag.Parse()
	if err := cfg.check(); err != nil {
		fmt.Fprintln(os.Stderr, "wssoak:", err)
		os.Exit(2)
	}
	raiseFileLimit(uint64(cfg.conns + 100))
	rep, err := run(context.Background(), cfg, log.New(os.Stderr, "", 0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "wssoak:", err)
		os.Exit(1)
	}
	fmt.Print(rep.String())
	if cfg.svg != "" {
		if err := os.WriteFile(cfg.svg, plot(rep), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "wssoak:", err)
			os.Exit(1)
		}
	}
	if v := rep.verdict(cfg.growth); v != "" {
		fmt.Fprintln(os.Stderr, "wssoak: FAIL:", v)
		os.Exit(1)
	}
	fmt.Println("PASS")
}

func (c config) check() error {
	switch {
	case c.conns < 1:
		return errors.New("-conns must be at least 1")
	case c.sample <= 0 || c.duration < 3*c.sample:
		return errors.New("-duration must hold at least 3 samples")
	case c.every <= 0:
		return errors.New("-every must be positive")
	case c.maxSize < 16:
		return errors.New("-max-size must be at least 16")
	case c.ping <= 0:
		return errors.New("-ping must be positive")
	}
	return nil
}
