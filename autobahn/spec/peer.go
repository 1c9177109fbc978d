package spec

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"slices"
	"time"

	"github.com/seed865a0254/websocket/frame"
)

// How long the peer waits. Loopback answers in microseconds; these bound a
// broken endpoint, they are not expectations of speed.
const (
	// eventTimeout bounds the wait for each expected event.
	eventTimeout = 3 * time.Second
	// dropTimeout bounds the wait for the endpoint to close the TCP
	// connection once the closing handshake is over (or, with Want.Linger,
	// after its close frame).
	dropTimeout = 3 * time.Second
	// clientGrace is how long a client endpoint is watched after the closing
	// handshake: it must not close the TCP connection before the server.
	clientGrace = 25 * time.Millisecond
	// chopGap and syncGap space out the pieces of a chopped send, so the
	// endpoint reads them one by one.
	chopGap = time.Millisecond
	syncGap = 2 * time.Millisecond
	// maxFrame bounds the length the peer accepts in a frame it receives.
	maxFrame = 64 << 20
)

// Run plays c against the endpoint at the other end of nc, as a peer in role
// as: frame.Client masks what it sends and expects a server, frame.Server does
// not mask and expects a client. The WebSocket handshake, if any, is already
// done. Run closes nc before it returns.
//
// Run returns nil when the endpoint behaved as c.Want says, a [*Failure]
// saying what was expected and what arrived when it did not, or an error
// wrapping ctx.Err() when ctx ended first.
func Run(ctx context.Context, nc net.Conn, as frame.Role, c Case) error {
	if as != frame.Client && as != frame.Server {
		nc.Close()
		return fmt.Errorf("spec: invalid peer role %d", as)
	}
	h := fnv.New64a()
	h.Write([]byte(c.ID))
	p := &peer{
		nc:     nc,
		as:     as,
		c:      c,
		rng:    rand.New(rand.NewPCG(h.Sum64(), uint64(as))),
		start:  time.Now(),
		events: make(chan arrival, 256),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	if d := c.Settings.Deflate; d != nil {
		own, endpoint := directions(d, as)
		p.deflater = &deflater{dir: own}
		p.inflater = &inflater{dir: endpoint, limit: maxFrame}
	}
	// A write to an endpoint that stopped reading would block for ever:
	// ending ctx unblocks it.
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
	defer stop()
	go p.read()
	err := p.run(ctx)
	nc.Close()
	close(p.done)
	<-p.exited
	return err
}

// arrival is an event with the time the reader saw it.
type arrival struct {
	ev Event
	at time.Duration
}

// peer is the state of one Run.
type peer struct {
	nc     net.Conn
	as     frame.Role
	c      Case
	rng    *rand.Rand
	start  time.Time
	events chan arrival  // from the reader
	done   chan struct{} // closed when Run is over: the reader stops
	exited chan struct{} // closed by the reader when it returns

	// permessage-deflate, when Settings.Deflate is set: the runner's
	// compressor, and the reader's decompressor.
	deflater *deflater
	inflater *inflater

	log       []logLine // transcript
	step      string    // where the run is, for failure reports
	sentClose bool      // a close frame went out
	sentCode  int       // the code of the first close frame sent, 1005 if empty, -1 if malformed
	writeErr  error     // the first write error; later sends are skipped

	// the frame begun by SendHeader
	key    [4]byte
	pos    int
	masked bool
}

// logLine is a line of the transcript and the time it tells of.
type logLine struct {
	at   time.Duration
	text string
}

func (p *peer) logf(at time.Duration, format string, args ...any) {
	p.log = append(p.log, logLine{at, fmt.Sprintf(format, args...)})
}

// transcript returns the log in the order things happened: an event is
// logged when the runner takes it, which may be after later sends.
func (p *peer) transcript() []string {
	lines := slices.Clone(p.log)
	slices.SortStableFunc(lines, func(a, b logLine) int { return cmp.Compare(a.at, b.at) })
	s := make([]string, len(lines))
	for i, l := range lines {
		s[i] = fmt.Sprintf("%8.4fs  %s", l.at.Seconds(), l.text)
	}
	return s
}

func (p *peer) since() time.Duration { return time.Since(p.start) }

// fail builds the report of a mismatch.
func (p *peer) fail(expected, actual string) error {
	return &Failure{
		ID:          p.c.ID,
		Description: p.c.Description,
		Requirement: p.c.Requirement,
		Step:        p.step,
		Expected:    expected,
		Actual:      actual,
		Transcript:  p.transcript(),
	}
}

// run executes the steps, then checks the endpoint's closing behaviour.
func (p *peer) run(ctx context.Context) error {
	for i, s := range p.c.Steps {
		p.step = fmt.Sprintf("step %d (%s)", i+1, s)
		switch s.Kind {
		case Send:
			p.send(s)
		case SendHeader:
			p.sendHeader(s.Frames[0])
		case SendData:
			p.sendData(s.Data)
		case SendCompressed:
			if p.deflater == nil {
				return fmt.Errorf("spec: case %s: a compressed send without Settings.Deflate", p.c.ID)
			}
			p.sendCompressed(s)
		case Pause:
			t := time.NewTimer(s.Wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("spec: case %s: %w", p.c.ID, ctx.Err())
			}
		case Quiet:
			ev, err := p.next(ctx, s.Wait)
			if err != nil {
				return err
			}
			if ev != nil {
				return p.fail(fmt.Sprintf("nothing for %s", s.Wait), ev.String())
			}
		case Expect:
			for _, want := range s.Events {
				ev, err := p.next(ctx, eventTimeout)
				if err != nil {
					return err
				}
				if ev == nil {
					return p.fail(want.String(), "nothing within "+eventTimeout.String())
				}
				if !ev.equal(want) {
					return p.fail(want.String(), ev.String())
				}
			}
		case AwaitClose:
			ev, err := p.next(ctx, eventTimeout)
			if err != nil {
				return err
			}
			if ev == nil {
				return p.fail(p.c.Want.closeText()+" before the rest is sent", "nothing within "+eventTimeout.String())
			}
			if ev.Kind != Close || !p.c.Want.codeAllowed(*ev) {
				return p.fail(p.c.Want.closeText()+" before the rest is sent", ev.String())
			}
			p.step = "closing handshake"
			return p.closing(ctx, *ev)
		default:
			return fmt.Errorf("spec: case %s: unknown step kind %d", p.c.ID, s.Kind)
		}
	}
	p.step = "after the steps"
	return p.finish(ctx)
}

// next returns the next event, or nil if none arrives within d. The error is
// set only when ctx ends.
func (p *peer) next(ctx context.Context, d time.Duration) (*Event, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case a := <-p.events:
		p.logf(a.at, "<- %s", a.ev)
		return &a.ev, nil
	case <-t.C:
		return nil, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("spec: case %s: %w", p.c.ID, ctx.Err())
	}
}

// finish reads what the endpoint sends after the steps: the wanted events,
// then its close frame, starting the closing handshake when the peer is the
// one to do so.
func (p *peer) finish(ctx context.Context) error {
	w := p.c.Want
	idx := 0
	for {
		if w.Closer == Peer && idx == len(w.Events) && !p.sentClose {
			p.writeFrames(Frame{Opcode: frame.OpClose, Fin: true, Payload: closePayload(frame.StatusNormalClosure, "")})
		}
		expected := w.closeText()
		if idx < len(w.Events) {
			expected = w.Events[idx].String()
			if w.Prefix {
				expected += ", or " + w.closeText()
			}
		}
		ev, err := p.next(ctx, eventTimeout)
		if err != nil {
			return err
		}
		switch {
		case ev == nil:
			return p.fail(expected, "nothing within "+eventTimeout.String())
		case ev.Kind == Close && (idx == len(w.Events) || w.Prefix):
			if !w.codeAllowed(*ev) {
				return p.fail(w.closeText(), ev.String())
			}
			p.step = "closing handshake"
			return p.closing(ctx, *ev)
		case idx < len(w.Events) && ev.equal(w.Events[idx]):
			idx++
		default:
			return p.fail(expected, ev.String())
		}
	}
}

// closing checks what happens after the endpoint's close frame: nothing more
// arrives, and the server closes the TCP connection.
func (p *peer) closing(ctx context.Context, closeEv Event) error {
	if p.c.Want.Linger {
		return p.linger(ctx)
	}
	if !p.sentClose {
		// RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did
		// not previously send a Close frame, the endpoint MUST send a Close
		// frame in response."
		code, reason := closeEv.Code, closeEv.Data
		var payload []byte
		if code != frame.StatusNoStatusRcvd {
			payload = closePayload(code, string(reason))
		}
		p.writeFrames(Frame{Opcode: frame.OpClose, Fin: true, Payload: payload})
	}
	if p.as == frame.Client {
		// RFC 6455 §5.5.1: "The server MUST close the underlying TCP
		// connection immediately".
		ev, err := p.next(ctx, dropTimeout)
		if err != nil {
			return err
		}
		if ev == nil {
			return p.fail("the server closes the TCP connection after the closing handshake",
				"still open after "+dropTimeout.String())
		}
		if ev.Kind != End {
			return p.fail("nothing after the close frame", ev.String())
		}
		return nil
	}
	// The endpoint is a client. After a closing handshake the peer (the
	// server) closes first; RFC 6455 §5.5.1: "the client SHOULD wait for the
	// server to close the connection". A client that failed the connection
	// (its close frame is its own, not the echo of the peer's) may shut down
	// its side at once.
	ev, err := p.next(ctx, clientGrace)
	if err != nil || ev == nil {
		return err
	}
	if ev.Kind != End {
		return p.fail("nothing after the close frame", ev.String())
	}
	if p.c.Want.Closer == Peer && int(closeEv.Code) == p.sentCode {
		return p.fail("the client waits for the server to close the TCP connection",
			"the client closed it first ("+ev.Err.Error()+")")
	}
	return nil
}

// linger neither answers the endpoint's close frame nor closes the peer's
// side: the endpoint must drop the connection by itself. Reading EOF shows
// that it stopped writing; a failing write shows that the socket is gone.
func (p *peer) linger(ctx context.Context) error {
	deadline := time.Now().Add(dropTimeout)
	ev, err := p.next(ctx, dropTimeout)
	if err != nil {
		return err
	}
	if ev == nil {
		return p.fail("the endpoint closes the TCP connection by itself", "still open after "+dropTimeout.String())
	}
	if ev.Kind != End {
		return p.fail("nothing after the close frame", ev.String())
	}
	probe := p.encode(Frame{Opcode: frame.OpPing, Fin: true, Payload: []byte("probe")})
	for time.Now().Before(deadline) {
		if _, err := p.nc.Write(probe); err != nil {
			p.logf(p.since(), "-> write failed: the endpoint dropped the connection (%v)", err)
			return nil
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("spec: case %s: %w", p.c.ID, ctx.Err())
		}
	}
	return p.fail("the endpoint closes the TCP connection by itself",
		"it stopped sending but still accepts data "+dropTimeout.String()+" after its close frame")
}
