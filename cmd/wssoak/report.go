package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// report is what a soak saw: the samples of each process, the round trips
// per minute and what went wrong.
type report struct {
	conns   int
	samples []sample // the server's process
	clients []sample // the clients' process
	minutes []minute

	failed int64   // messages or connections that failed
	lost   int64   // connections that ended before the run did
	errs   []error // the first few failures
}

// process is the samples of one of the soak's two processes.
type process struct {
	name    string
	samples []sample
}

func (r *report) processes() []process {
	return []process{{"server", r.samples}, {"clients", r.clients}}
}

// minute is the round trips of one minute of the run.
type minute struct {
	end      time.Duration
	n        int
	p50, p99 time.Duration
}

func (m minute) String() string {
	return fmt.Sprintf("minute to %4.0fs: %d round trips, p50 %s, p99 %s",
		m.end.Seconds(), m.n, m.p50.Round(time.Microsecond), m.p99.Round(time.Microsecond))
}

// rttLog collects round trips until take empties it. Its slice keeps its
// capacity from minute to minute, so the log itself does not grow the heap.
type rttLog struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *rttLog) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *rttLog) take(end time.Duration) minute {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := minute{end: end, n: len(l.d)}
	if m.n > 0 {
		slices.Sort(l.d)
		m.p50 = l.d[(m.n-1)/2]
		m.p99 = l.d[(m.n-1)*99/100]
	}
	l.d = l.d[:0]
	return m
}

// trend is a line through one series of samples.
type trend struct {
	mean    float64
	perHour float64 // the slope, in units per hour
}

// fit fits a line to value(s) over the samples at or after from, by the
// Theil-Sen estimator: the slope is the median of the slopes between every
// two samples. A least-squares line follows outliers, and a soak has some (a
// sample taken while thousands of short-lived goroutines happen to be gone);
// the median does not.
func fit(samples []sample, from time.Duration, value func(sample) float64) (trend, error) {
	var t, v []float64
	for _, s := range samples {
		if s.at >= from {
			t = append(t, s.at.Hours())
			v = append(v, value(s))
		}
	}
	if len(t) < 3 {
		return trend{}, errNoSamples
	}
	var slopes []float64
	sum := 0.0
	for i := range t {
		sum += v[i]
		for j := i + 1; j < len(t); j++ {
			if t[j] != t[i] {
				slopes = append(slopes, (v[j]-v[i])/(t[j]-t[i]))
			}
		}
	}
	if len(slopes) == 0 {
		return trend{}, errNoSamples
	}
	slices.Sort(slopes)
	m := len(slopes) / 2
	slope := slopes[m]
	if len(slopes)%2 == 0 {
		slope = (slopes[m-1] + slopes[m]) / 2
	}
	return trend{mean: sum / float64(len(t)), perHour: slope}, nil
}

// growth is the trend per hour as a fraction of the mean.
func (t trend) growth() float64 {
	if t.mean == 0 {
		return 0
	}
	return t.perHour / t.mean
}

// watched is one series a soak watches, with the largest growth per hour
// it may show, as a fraction of its mean.
type watched struct {
	name  string
	value func(sample) float64
	max   float64
}

// series are the three things a soak watches; memory's largest growth comes
// from -max-growth.
func series(maxMemory float64) []watched {
	return []watched{
		{"rss (MiB)", func(s sample) float64 { return mib(s.rss) }, maxMemory},
		{"live heap (MiB)", func(s sample) float64 { return mib(s.heap) }, maxMemory},
		{"goroutines", func(s sample) float64 { return float64(s.goroutines) }, 0.01},
	}
}

// warmUp is the part of the run the trends leave out: its first half.
// Stacks and the heap take minutes to reach their working size (in a run of
// 10 minutes over 9,900 connections, resident memory rose for 5 minutes,
// then stayed within 0.1 MiB).
func (r *report) warmUp() time.Duration {
	if len(r.samples) == 0 {
		return 0
	}
	return r.samples[len(r.samples)-1].at / 2
}

// verdict says why the soak failed, or "" if it passed.
func (r *report) verdict(maxMemory float64) string {
	var why []string
	if r.failed > 0 {
		why = append(why, fmt.Sprintf("%d messages or connections failed", r.failed))
	}
	if r.lost > 0 {
		why = append(why, fmt.Sprintf("%d connections ended early", r.lost))
	}
	for _, p := range r.processes() {
		for _, s := range series(maxMemory) {
			t, err := fit(p.samples, r.warmUp(), s.value)
			if err != nil {
				why = append(why, p.name+" "+s.name+": "+err.Error())
				continue
			}
			if t.growth() > s.max {
				why = append(why, fmt.Sprintf("%s %s grows %.1f%% per hour (at most %.1f%%)", p.name, s.name, 100*t.growth(), 100*s.max))
			}
		}
	}
	return strings.Join(why, "; ")
}

// String is the summary: start, middle and end of each series, its trend,
// the round trips per minute and the failures.
func (r *report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "connections %d, samples %d, warm-up %s left out of the trends\n", r.conns, len(r.samples), r.warmUp())
	fmt.Fprintf(&b, "%-24s %12s %12s %12s %14s %9s\n", "", "start", "middle", "end", "trend per hour", "(of mean)")
	for _, p := range r.processes() {
		if len(p.samples) == 0 {
			fmt.Fprintf(&b, "%-24s no samples\n", p.name)
			continue
		}
		first, mid, last := p.samples[0], p.samples[len(p.samples)/2], p.samples[len(p.samples)-1]
		for _, s := range series(0) {
			t, err := fit(p.samples, r.warmUp(), s.value)
			trendText := "n/a"
			share := ""
			if err == nil {
				trendText = fmt.Sprintf("%+.2f", t.perHour)
				share = fmt.Sprintf("%+.1f%%", 100*t.growth())
			}
			fmt.Fprintf(&b, "%-24s %12.1f %12.1f %12.1f %14s %9s\n", p.name+" "+s.name, s.value(first), s.value(mid), s.value(last), trendText, share)
		}
	}
	for _, m := range r.minutes {
		fmt.Fprintln(&b, m)
	}
	fmt.Fprintf(&b, "failures %d, connections ended early %d\n", r.failed, r.lost)
	for _, err := range r.errs {
		fmt.Fprintln(&b, "  ", err)
	}
	return b.String()
}

var errNoSamples = errors.New("too few samples after the warm-up")

type counter = atomic.Int64 // the clients count from many goroutines
