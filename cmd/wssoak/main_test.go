package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain runs the clients' side when a soak started this test binary as
// its child.
func TestMain(m *testing.M) {
	if orders := os.Getenv(childEnv); orders != "" {
		os.Exit(childMain(orders))
	}
	os.Exit(m.Run())
}

// samples builds a series of n samples, one every 10 s, whose values follow
// f.
func samples(n int, f func(i int) (rss, heap, goroutines uint64)) []sample {
	var s []sample
	for i := range n {
		r, h, g := f(i)
		s = append(s, sample{at: time.Duration(i) * 10 * time.Second, rss: r, heap: h, goroutines: g})
	}
	return s
}

func TestFitFindsTheSlope(t *testing.T) {
	// 1 MiB more every 10 s is 360 MiB per hour, on a mean of 100 + 29.5.
	s := samples(60, func(i int) (uint64, uint64, uint64) { return uint64(100+i) << 20, 0, 0 })
	tr, err := fit(s, 0, func(s sample) float64 { return mib(s.rss) })
	if err != nil {
		t.Fatal(err)
	}
	if tr.perHour < 359.9 || tr.perHour > 360.1 || tr.mean != 129.5 {
		t.Fatalf("fit = %+v, want 360 per hour on a mean of 129.5", tr)
	}
	if _, err := fit(s[:2], 0, func(s sample) float64 { return 0 }); err != errNoSamples {
		t.Fatalf("two samples: err = %v, want errNoSamples", err)
	}
}

// TestFitIgnoresOutliers: a flat series with a few deep dips (samples taken
// while short-lived goroutines happened to be gone) has no trend.
func TestFitIgnoresOutliers(t *testing.T) {
	s := samples(60, func(i int) (uint64, uint64, uint64) {
		g := uint64(49_460)
		if i == 20 || i == 25 || i == 33 {
			g = 46_500
		}
		return 0, 0, g
	})
	tr, err := fit(s, 0, func(s sample) float64 { return float64(s.goroutines) })
	if err != nil || tr.perHour != 0 {
		t.Fatalf("fit = %+v, %v; want no trend", tr, err)
	}
}

func TestVerdict(t *testing.T) {
	flat := samples(60, func(i int) (uint64, uint64, uint64) {
		// Noise around a level, and a warm-up that climbs: both pass.
		warm := uint64(0)
		if i < 6 {
			warm = uint64(6-i) << 20
		}
		return 200<<20 - warm + uint64(i%3)<<16, 50<<20 + uint64(i%2)<<16, 40_000 + uint64(i%2)
	})
	leak := samples(60, func(i int) (uint64, uint64, uint64) { return 200<<20 + uint64(i)<<18, 50 << 20, 40_000 })
	goroutines := samples(60, func(i int) (uint64, uint64, uint64) { return 200 << 20, 50 << 20, 4_000 + uint64(i) })
	for _, tc := range []struct {
		name    string
		samples []sample
		failed  int64
		want    string // "" passes; otherwise a part of the reason
	}{
		{"flat", flat, 0, ""},
		{"rss grows", leak, 0, "rss (MiB) grows"},
		{"goroutines grow", goroutines, 0, "goroutines grows"},
		{"a failure", flat, 1, "1 messages or connections failed"},
		{"too short", flat[:3], 0, "too few samples"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &report{samples: tc.samples, clients: flat[:len(tc.samples)], failed: tc.failed}
			got := r.verdict(0.2)
			if (got == "") != (tc.want == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("verdict = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRTTLogPercentiles(t *testing.T) {
	var l rttLog
	for i := 100; i >= 1; i-- {
		l.add(time.Duration(i) * time.Millisecond)
	}
	m := l.take(time.Minute)
	if m.n != 100 || m.p50 != 50*time.Millisecond || m.p99 != 99*time.Millisecond {
		t.Fatalf("take = %+v, want 100 round trips, p50 50ms, p99 99ms", m)
	}
	if m := l.take(2 * time.Minute); m.n != 0 {
		t.Fatalf("second take = %+v, want an empty minute", m)
	}
}

// TestPlotIsSVG parses the plot as XML and counts its lines: three series
// for each of two processes, and two percentiles.
func TestPlotIsSVG(t *testing.T) {
	s := samples(5, func(i int) (uint64, uint64, uint64) { return 1 << 20, 1 << 19, 40 })
	r := &report{conns: 10, samples: s, clients: s}
	r.minutes = []minute{{end: time.Minute, n: 10, p50: time.Millisecond, p99: 3 * time.Millisecond}}
	dec := xml.NewDecoder(bytes.NewReader(plot(r)))
	polylines := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the plot is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "polyline" {
			polylines++
		}
	}
	if polylines != 8 {
		t.Fatalf("%d polylines, want 8", polylines)
	}
}

// TestShortRun runs a small soak end to end: every message echoed and
// checked, no connection lost, samples taken. (Its trends are not judged:
// a few seconds say nothing about an hour.) WSSOAK=1 runs the real one, with
// the flags' defaults: 10,000 connections for 10 minutes.
func TestShortRun(t *testing.T) {
	cfg := config{conns: 50, duration: 1500 * time.Millisecond, sample: 250 * time.Millisecond,
		every: 20 * time.Millisecond, maxSize: 4096, ping: time.Second, growth: 0.2}
	if os.Getenv("WSSOAK") == "1" {
		cfg.conns, cfg.duration, cfg.sample, cfg.every, cfg.maxSize, cfg.ping =
			10_000, 10*time.Minute, 10*time.Second, 2*time.Second, 16<<10, 20*time.Second
		raiseFileLimit(uint64(cfg.conns + 100))
	}
	r, err := run(context.Background(), cfg, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + r.String())
	if r.failed != 0 || r.lost != 0 {
		t.Fatalf("failures %d, connections lost %d: %v", r.failed, r.lost, r.errs)
	}
	if len(r.samples) < 4 || len(r.clients) < 4 || len(r.minutes) == 0 || r.minutes[len(r.minutes)-1].n == 0 {
		t.Fatalf("%d server samples, %d client samples and %v: the run measured too little", len(r.samples), len(r.clients), r.minutes)
	}
	if g := r.samples[len(r.samples)/2].goroutines; g < uint64(cfg.conns) {
		t.Fatalf("the server held %d goroutines for %d connections: the clients are not its own", g, cfg.conns)
	}
	if os.Getenv("WSSOAK") == "1" {
		if v := r.verdict(cfg.growth); v != "" {
			t.Fatal(v)
		}
	}
}

// TestClientsCannotDial: a child whose clients cannot connect says why,
// and the soak does not start.
func TestClientsCannotDial(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "ws://" + ln.Addr().String() + "/"
	ln.Close() // nothing listens there now
	events, stop, err := startClients(context.Background(), childArgs{URL: url, Conns: 3, MaxSize: 16,
		Duration: time.Second, Sample: time.Second, Every: time.Second, Ping: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var got []event
	for e := range events {
		got = append(got, e)
	}
	if len(got) != 1 || got[0].Kind != "fail" || !strings.Contains(got[0].Err, "dial") {
		t.Fatalf("events %+v, want one failure to dial", got)
	}
	if err := stop(); err == nil {
		t.Fatal("the child exited with status 0 after failing")
	}
}

func TestConfigCheck(t *testing.T) {
	good := config{conns: 1, duration: 3 * time.Second, sample: time.Second, every: time.Second, maxSize: 16, ping: time.Second}
	if err := good.check(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, bad := range []func(*config){
		func(c *config) { c.conns = 0 },
		func(c *config) { c.duration = 2 * time.Second },
		func(c *config) { c.every = 0 },
		func(c *config) { c.maxSize = 15 },
		func(c *config) { c.ping = 0 },
	} {
		c := good
		bad(&c)
		if c.check() == nil {
			t.Errorf("%+v: check passed", c)
		}
	}
}
