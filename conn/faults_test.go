package conn_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/conn/internal/faultproxy"
	"github.com/seed865a0254/websocket/ping"
)

// The tests of this file run a short conversation between conn.Dial and
// conn.Accept through faultproxy, a loopback TCP proxy that splits, delays,
// stalls or cuts the bytes. The sweeps try every byte of the conversation;
// -faults.long adds seeds, larger messages and a sweep of each cut kind at
// every byte with pings running:
//
//	go test ./conn -run Fault -faults.long
var faultsLong = flag.Bool("faults.long", false, "run the fault-injection sweeps at length")

// runBudget bounds one run of the conversation: a hang fails it. The long
// runs send thousands of one-byte writes, each after a sleep.
func runBudget() time.Duration {
	if *faultsLong {
		return 30 * time.Second
	}
	return 2 * soon
}

// chat is the conversation: the client sends each message, the server
// echoes it, the client receives the echo; then the client closes. It
// crosses the frame header's length forms (7 bits, 16 bits) and an empty
// message.
func chat(long bool) []conn.Message {
	m := []conn.Message{
		{Type: conn.Text, Data: []byte("hi")},
		{Type: conn.Binary, Data: pattern(126)},
		{Type: conn.Text, Data: []byte{}},
		{Type: conn.Text, Data: []byte("né à Zürich")},
	}
	if long {
		m = append(m, conn.Message{Type: conn.Binary, Data: pattern(4 << 10)})
	}
	return m
}

// outcome is how one side of a run ended.
type outcome struct {
	got       []conn.Message // messages received, in order
	err       error          // the ending: nil only after a clean close handshake
	handshake bool           // Dial or Accept succeeded
	at        time.Time      // when the ending came
}

// faultRig is an httptest server that echoes through conn.Accept, behind a
// faultproxy whose plan is set per run.
type faultRig struct {
	proxy  *faultproxy.Proxy
	mu     sync.Mutex
	faults faultproxy.Faults
	server chan outcome
	opts   *conn.Options
}

func newFaultRig(t *testing.T, opts *conn.Options) *faultRig {
	t.Helper()
	r := &faultRig{server: make(chan outcome, 1), opts: opts}
	srv := httptest.NewServer(http.HandlerFunc(r.echo))
	t.Cleanup(srv.Close)
	p, err := faultproxy.Listen(srv.Listener.Addr().String(), func() faultproxy.Faults {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.faults
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	r.proxy = p
	return r
}

// echo is the server's side of a run.
func (r *faultRig) echo(w http.ResponseWriter, req *http.Request) {
	var o outcome
	defer func() { r.server <- o }()
	ws, err := conn.Accept(w, req, acceptOptions(r.opts))
	if err != nil {
		o.err = err
		return
	}
	o.handshake = true
	ctx, cancel := context.WithTimeout(context.Background(), runBudget())
	defer cancel()
	for {
		m, err := ws.Receive(ctx)
		if err != nil {
			o.err, o.at = err, time.Now()
			break
		}
		o.got = append(o.got, m)
		ws.Send(ctx, m.Type, m.Data) // a failure shows in the next Receive
	}
	ws.CloseNow()
	select {
	case <-ws.Done():
	case <-ctx.Done():
		o.err = fmt.Errorf("server: Done not closed: %w", ctx.Err())
	}
}

// run holds the conversation once under f and returns how each side ended.
// served says whether the request will reach the handler (not if the cut
// falls in it); then run waits for the server's outcome.
func (r *faultRig) run(t *testing.T, f faultproxy.Faults, msgs []conn.Message, served bool) (client, server outcome) {
	t.Helper()
	r.mu.Lock()
	r.faults = f
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), runBudget())
	defer cancel()
	client = r.talk(ctx, msgs)
	if !served {
		return client, outcome{}
	}
	select {
	case server = <-r.server:
	case <-time.After(runBudget()):
		var stacks strings.Builder
		pprof.Lookup("goroutine").WriteTo(&stacks, 1)
		t.Fatalf("the server did not end within %v (client: %v); goroutines:\n%s", runBudget(), client.err, stacks.String())
	}
	return client, server
}

// talk is the client's side of a run.
func (r *faultRig) talk(ctx context.Context, msgs []conn.Message) (o outcome) {
	ws, _, err := conn.Dial(ctx, "ws://"+r.proxy.Addr(), dialOptions(r.opts))
	if err != nil {
		o.err = err
		return o
	}
	o.handshake = true
	for _, m := range msgs {
		if o.err = ws.Send(ctx, m.Type, m.Data); o.err != nil {
			break
		}
		got, err := ws.Receive(ctx)
		if err != nil {
			o.err = err
			break
		}
		o.got = append(o.got, got)
	}
	if o.err == nil {
		o.err = ws.Close(conn.StatusNormalClosure, "")
	}
	ws.CloseNow()
	select {
	case <-ws.Done():
	case <-ctx.Done():
		o.err = fmt.Errorf("client: Done not closed: %w", ctx.Err())
	}
	return o
}

// sameMessages returns what differs between got and want.
func sameMessages(got, want []conn.Message) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d messages, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Type != want[i].Type || !bytes.Equal(got[i].Data, want[i].Data) {
			return fmt.Sprintf("message %d is %v %q, want %v %q", i, got[i].Type, trunc(got[i].Data), want[i].Type, trunc(want[i].Data))
		}
	}
	return ""
}

// checkClean: both sides got every message, whole, once, in order, and
// ended with the close handshake.
func checkClean(t *testing.T, what string, msgs []conn.Message, client, server outcome) {
	t.Helper()
	if client.err != nil {
		t.Fatalf("%s: client ended with %v, want a clean close", what, client.err)
	}
	var ce *conn.CloseError
	if !errors.As(server.err, &ce) || ce.Code != conn.StatusNormalClosure {
		t.Fatalf("%s: server ended with %v, want the client's 1000", what, server.err)
	}
	if d := sameMessages(client.got, msgs); d != "" {
		t.Fatalf("%s: client received %s", what, d)
	}
	if d := sameMessages(server.got, msgs); d != "" {
		t.Fatalf("%s: server received %s", what, d)
	}
}

// conversationBytes holds the conversation once without faults and returns
// how many bytes go each way, and how many of them the handshake takes.
func conversationBytes(t *testing.T, r *faultRig, msgs []conn.Message) (total, hs [2]int64) {
	t.Helper()
	var before [2]int64
	for _, d := range []faultproxy.Direction{faultproxy.Up, faultproxy.Down} {
		before[d] = r.proxy.Forwarded(d)
	}
	client, server := r.run(t, faultproxy.Faults{}, msgs, true)
	checkClean(t, "no faults", msgs, client, server)
	for _, d := range []faultproxy.Direction{faultproxy.Up, faultproxy.Down} {
		total[d] = r.proxy.Forwarded(d) - before[d]
	}
	return total, handshakeBytes(t, r)
}

// handshakeBytes measures the request and the response alone: their
// lengths are the same every time (no date, no random length).
func handshakeBytes(t *testing.T, r *faultRig) (hs [2]int64) {
	t.Helper()
	var before [2]int64
	for _, d := range []faultproxy.Direction{faultproxy.Up, faultproxy.Down} {
		before[d] = r.proxy.Forwarded(d)
	}
	client, server := r.run(t, faultproxy.Faults{}, nil, true)
	checkClean(t, "handshake only", nil, client, server)
	// Without messages, each direction is the handshake and a 2-byte close
	// frame (plus the client's 4-byte mask key).
	hs[faultproxy.Up] = r.proxy.Forwarded(faultproxy.Up) - before[faultproxy.Up] - 2 - 4 - 2
	hs[faultproxy.Down] = r.proxy.Forwarded(faultproxy.Down) - before[faultproxy.Down] - 2 - 2
	return hs
}

// Every message sent before a clean Close is received whole, once and in
// order, both ways, whatever the splits: the bytes of each direction in
// two writes at every boundary of the conversation (the handshake's
// included), a byte at a time, and in seeded random pieces with delays.
func TestFaultSplits(t *testing.T) {
	msgs := chat(*faultsLong)
	r := newFaultRig(t, &conn.Options{CloseTimeout: soon})
	total, _ := conversationBytes(t, r, msgs)
	t.Logf("the conversation is %d bytes up, %d down", total[faultproxy.Up], total[faultproxy.Down])
	// Each run splits both directions at the same offset.
	for k := int64(1); k < max(total[faultproxy.Up], total[faultproxy.Down]); k++ {
		plan := faultproxy.Plan{SplitAt: []int64{k}, Pause: 50 * time.Microsecond}
		client, server := r.run(t, faultproxy.Faults{Up: plan, Down: plan}, msgs, true)
		checkClean(t, fmt.Sprintf("split at %d", k), msgs, client, server)
	}
	byte1 := faultproxy.Plan{MaxWrite: 1, Pause: 20 * time.Microsecond}
	client, server := r.run(t, faultproxy.Faults{Up: byte1, Down: byte1}, msgs, true)
	checkClean(t, "a byte at a time", msgs, client, server)
	seeds := 8
	if *faultsLong {
		seeds = 200
	}
	for seed := range uint64(seeds) {
		plan := func(s uint64) faultproxy.Plan {
			return faultproxy.Plan{
				Rand:    rand.New(rand.NewPCG(seed, s)),
				RandMax: 8 << (seed % 4),
				Pause:   time.Duration(seed%3) * 50 * time.Microsecond,
				Delay:   time.Duration(seed%2) * 200 * time.Microsecond,
			}
		}
		client, server := r.run(t, faultproxy.Faults{Up: plan(1), Down: plan(2)}, msgs, true)
		checkClean(t, fmt.Sprintf("random pieces, seed %d", seed), msgs, client, server)
	}
}

// A cut at any byte, by FIN or by reset, ends both sides, never in a hang,
// with an error that says the connection ended (a side that received all
// the other's bytes may have finished cleanly), and neither side receives a
// message that was not sent: each receives a prefix of the conversation.
// The side whose incoming bytes were cut short cannot have closed cleanly.
// Every goroutine ends (TestMain checks, and each run waits for Done).
func TestFaultCuts(t *testing.T) {
	msgs := chat(*faultsLong)
	opts := &conn.Options{CloseTimeout: soon}
	if *faultsLong {
		opts.Ping = ping.Policy{Interval: 5 * time.Millisecond, Timeout: soon}
	}
	// Measured without pings, whose bytes come at no fixed place.
	total, hs := conversationBytes(t, newFaultRig(t, nil), msgs)
	r := newFaultRig(t, opts)
	for _, how := range []faultproxy.Cut{faultproxy.FIN, faultproxy.RST} {
		for _, d := range []faultproxy.Direction{faultproxy.Up, faultproxy.Down} {
			for k := range total[d] {
				if !*faultsLong && how == faultproxy.FIN && k%7 != 0 && k < total[d]-20 {
					// In CI each direction is cut by reset at every byte and
					// by FIN at every 7th and the last 20 (the close).
					continue
				}
				plan := faultproxy.Plan{Cut: how, CutAt: k}
				var f faultproxy.Faults
				if d == faultproxy.Up {
					f.Up = plan
				} else {
					f.Down = plan
				}
				what := fmt.Sprintf("%v cut by %v at %d of %d", d, how, k, total[d])
				served := d == faultproxy.Down || k >= hs[faultproxy.Up]
				client, server := r.run(t, f, msgs, served)
				checkCut(t, what, msgs, client, server, served, d)
			}
		}
	}
}

// checkCut checks a run whose direction d was cut short; served says
// whether the request reached the handler.
func checkCut(t *testing.T, what string, msgs []conn.Message, client, server outcome, served bool, d faultproxy.Direction) {
	t.Helper()
	sides := []struct {
		name string
		o    outcome
		cut  bool // its incoming bytes were cut short
	}{{"client", client, d == faultproxy.Down}, {"server", server, d == faultproxy.Up}}
	for _, s := range sides {
		if s.name == "server" && !served {
			continue
		}
		if d := sameMessages(s.o.got, msgs[:min(len(s.o.got), len(msgs))]); d != "" {
			t.Fatalf("%s: %s received %s", what, s.name, d)
		}
		if clean(s.o) {
			if s.cut {
				t.Fatalf("%s: %s ended cleanly, yet its bytes were cut short", what, s.name)
			}
			if d := sameMessages(s.o.got, msgs); d != "" {
				t.Fatalf("%s: %s closed cleanly having received %s", what, s.name, d)
			}
			continue
		}
		if !saysEnded(s.o) {
			t.Fatalf("%s: %s ended with %v, which does not say the connection ended", what, s.name, s.o.err)
		}
	}
}

// clean reports whether a side ended with the close handshake.
func clean(o outcome) bool {
	var ce *conn.CloseError
	return o.handshake && (o.err == nil || errors.As(o.err, &ce) && ce.Code == conn.StatusNormalClosure)
}

// saysEnded reports whether o's error says that the connection ended
// abruptly: after the handshake, an error that matches conn.ErrClosed and
// names the end of the stream, a reset or a close without a reply; during
// it, the end of the stream or a reset. A timeout (a hang) never does.
func saysEnded(o outcome) bool {
	err := o.err
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if o.handshake && !errors.Is(err, conn.ErrClosed) {
		return false
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	// A client whose close frame found the connection gone, or a write
	// that failed (its cause is the reset or the broken pipe above).
	s := err.Error()
	return strings.Contains(s, "ended before the peer's close frame") || strings.Contains(s, "write failed")
}

// A stalled direction is noticed by the ping policy of the side that no
// longer hears its pongs, within Interval + Timeout (asserted with a second
// of slack: a bound, not a speed), never before Timeout; that side fails
// the connection with 1011, and the other side hears it.
func TestFaultStall(t *testing.T) {
	_, hs := conversationBytes(t, newFaultRig(t, nil), nil)
	pol := ping.Policy{Interval: 50 * time.Millisecond, Timeout: 100 * time.Millisecond}
	bound := pol.Interval + pol.Timeout + time.Second
	opts := &conn.Options{CloseTimeout: soon, Ping: pol}
	r := newFaultRig(t, opts)
	for _, d := range []faultproxy.Direction{faultproxy.Up, faultproxy.Down} {
		t.Run(d.String(), func(t *testing.T) {
			// The stall starts right after the handshake.
			plan := faultproxy.Plan{Stall: true, StallAt: hs[d]}
			r.mu.Lock()
			r.faults = faultproxy.Faults{}
			if d == faultproxy.Up {
				r.faults.Up = plan
			} else {
				r.faults.Down = plan
			}
			r.mu.Unlock()
			ctx := testCtx(t, 2*soon)
			ws, _, err := conn.Dial(ctx, "ws://"+r.proxy.Addr(), dialOptions(opts))
			if err != nil {
				t.Fatal(err)
			}
			dialed := time.Now()
			var client outcome
			_, client.err = ws.Receive(ctx)
			client.at = time.Now()
			var server outcome
			select {
			case server = <-r.server:
			case <-time.After(2 * soon):
				t.Fatal("the server did not end")
			}
			deaf, heard := client, server // deaf: the side that hears no pongs
			if d == faultproxy.Up {
				deaf, heard = server, client
			}
			if !errors.Is(deaf.err, ping.ErrTimeout) || !errors.Is(deaf.err, conn.ErrClosed) {
				t.Fatalf("the side that hears nothing ended with %v, want a ping timeout", deaf.err)
			}
			took := deaf.at.Sub(dialed)
			t.Logf("%v stalled: ping timeout after %v", d, took)
			if took > bound || took < pol.Timeout {
				t.Fatalf("ping timeout after %v, want between Timeout %v and Interval+Timeout with slack, %v", took, pol.Timeout, bound)
			}
			var ce *conn.CloseError
			if !errors.As(heard.err, &ce) || ce.Code != conn.StatusInternalError {
				t.Fatalf("the other side ended with %v, want the close frame 1011", heard.err)
			}
			closeAndWait(t, ws, "client")
		})
	}
}
