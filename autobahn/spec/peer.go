package spec

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"time"
	"unicode/utf8"

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

// encode returns the wire form of f: masked with a fresh key when the peer
// is a client (inverted by f.WrongMask).
func (p *peer) encode(f Frame) []byte {
	h := p.header(f)
	b := frame.AppendHeader(nil, h)
	n := len(b)
	b = append(b, f.Payload...)
	if h.Masked {
		frame.Mask(h.Key, 0, b[n:])
	}
	return b
}

func (p *peer) header(f Frame) frame.Header {
	h := frame.Header{
		Fin:    f.Fin,
		RSV1:   f.RSV&4 != 0,
		RSV2:   f.RSV&2 != 0,
		RSV3:   f.RSV&1 != 0,
		Opcode: f.Opcode,
		Masked: (p.as == frame.Client) != f.WrongMask,
		Length: f.declared(),
	}
	if h.Masked {
		binary.LittleEndian.PutUint32(h.Key[:], p.rng.Uint32())
	}
	return h
}

// write sends b unless an earlier write failed. A write fails when the
// endpoint has already dropped the connection; that is recorded, not judged
// here: the events show whether it was right to.
func (p *peer) write(b []byte) bool {
	if p.writeErr != nil {
		return false
	}
	if _, err := p.nc.Write(b); err != nil {
		p.writeErr = err
		p.logf(p.since(), "-> write failed: %v", err)
		return false
	}
	return true
}

// noteSent logs f, sent at at.
func (p *peer) noteSent(at time.Duration, f Frame) {
	p.logf(at, "-> %s", f)
	if f.Opcode == frame.OpClose && !p.sentClose {
		p.sentClose = true
		switch {
		case len(f.Payload) == 0:
			p.sentCode = int(frame.StatusNoStatusRcvd)
		case len(f.Payload) == 1:
			p.sentCode = -1
		default:
			p.sentCode = int(binary.BigEndian.Uint16(f.Payload))
		}
	}
}

// writeFrames sends frames back to back in one write.
func (p *peer) writeFrames(fs ...Frame) {
	var b []byte
	for _, f := range fs {
		b = append(b, p.encode(f)...)
	}
	at := p.since()
	if p.write(b) {
		for _, f := range fs {
			p.noteSent(at, f)
		}
	}
}

func (p *peer) send(s Step) {
	switch {
	case s.Sync:
		for i, f := range s.Frames {
			if i > 0 {
				time.Sleep(syncGap)
			}
			p.writeFrames(f)
		}
	case s.Chop > 0:
		var b []byte
		for _, f := range s.Frames {
			b = append(b, p.encode(f)...)
		}
		at := p.since()
		for off := 0; off < len(b); off += s.Chop {
			if off > 0 {
				time.Sleep(chopGap)
			}
			if !p.write(b[off:min(off+s.Chop, len(b))]) {
				return
			}
		}
		for _, f := range s.Frames {
			p.noteSent(at, f)
		}
		p.logf(at, "   (in %d chops of at most %d bytes)", (len(b)+s.Chop-1)/s.Chop, s.Chop)
	default:
		p.writeFrames(s.Frames...)
	}
}

func (p *peer) sendHeader(f Frame) {
	h := p.header(f)
	p.key, p.pos, p.masked = h.Key, 0, h.Masked
	at := p.since()
	if p.write(frame.AppendHeader(nil, h)) {
		p.logf(at, "-> header of %s declaring %d payload bytes", f.Opcode, h.Length)
	}
}

func (p *peer) sendData(data []byte) {
	b := append([]byte(nil), data...)
	if p.masked {
		p.pos = frame.Mask(p.key, p.pos, b)
	}
	at := p.since()
	if p.write(b) {
		p.logf(at, "-> %d payload bytes %s", len(data), quote(data))
	}
}

// read decodes what the endpoint sends into events, until the stream ends,
// the endpoint breaks the protocol, or Run is over.
func (p *peer) read() {
	defer close(p.exited)
	br := bufio.NewReaderSize(p.nc, 64<<10)
	var hbuf [frame.MaxHeaderSize]byte
	var (
		inMessage bool
		msgType   frame.Opcode
		msg       []byte
	)
	for {
		h, err := frame.ReadHeader(br, hbuf[:])
		if err != nil {
			p.emit(Event{Kind: End, Err: err})
			return
		}
		if err := p.checkHeader(h, inMessage); err != nil {
			p.emit(Event{Kind: Violation, Err: err})
			return
		}
		payload := make([]byte, h.Length)
		if _, err := io.ReadFull(br, payload); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			p.emit(Event{Kind: End, Err: fmt.Errorf("inside a %s frame: %w", h.Opcode, err)})
			return
		}
		if h.Masked {
			frame.Mask(h.Key, 0, payload)
		}
		var ev Event
		switch h.Opcode {
		case frame.OpText, frame.OpBinary:
			msgType, msg, inMessage = h.Opcode, payload, !h.Fin
			if inMessage {
				continue
			}
			ev = Event{Kind: Message, Type: msgType, Data: msg}
		case frame.OpContinuation:
			msg = append(msg, payload...)
			if inMessage = !h.Fin; inMessage {
				continue
			}
			ev = Event{Kind: Message, Type: msgType, Data: msg}
		case frame.OpPing:
			ev = Event{Kind: Ping, Data: payload}
		case frame.OpPong:
			ev = Event{Kind: Pong, Data: payload}
		case frame.OpClose:
			var err error
			ev, err = parseClose(payload)
			if err != nil {
				p.emit(Event{Kind: Violation, Err: err})
				return
			}
			// RFC 6455 §5.5.1: "The application MUST NOT send any more
			// data frames after sending a Close frame." A message cut
			// short by the close is abandoned.
			inMessage, msg = false, nil
		}
		if ev.Kind == Message && ev.Type == frame.OpText && !utf8.Valid(ev.Data) {
			p.emit(Event{Kind: Violation, Err: errors.New("text message is not valid UTF-8 (RFC 6455 §5.6)")})
			return
		}
		if !p.emit(ev) {
			return
		}
	}
}

// emit hands ev to the runner; false when Run is over.
func (p *peer) emit(ev Event) bool {
	select {
	case p.events <- arrival{ev, p.since()}:
		return true
	case <-p.done:
		return false
	}
}

// checkHeader judges a frame the endpoint sent. It is the peer's own reading
// of RFC 6455, independent of package frame's Check, so that the referee does
// not share the code it judges.
func (p *peer) checkHeader(h frame.Header, inMessage bool) error {
	switch {
	case h.RSV1 || h.RSV2 || h.RSV3:
		return fmt.Errorf("%s frame with a reserved bit set (RFC 6455 §5.2)", h.Opcode)
	case h.Opcode > frame.OpBinary && h.Opcode < frame.OpClose || h.Opcode > frame.OpPong:
		return fmt.Errorf("reserved opcode %#x (RFC 6455 §5.2)", byte(h.Opcode))
	case p.as == frame.Client && h.Masked:
		return fmt.Errorf("masked %s frame from a server (RFC 6455 §5.1)", h.Opcode)
	case p.as == frame.Server && !h.Masked:
		return fmt.Errorf("unmasked %s frame from a client (RFC 6455 §5.1)", h.Opcode)
	case h.Length < 0 || h.Length > maxFrame:
		return fmt.Errorf("%s frame declaring %d bytes", h.Opcode, h.Length)
	case h.Opcode >= frame.OpClose && h.Length > 125:
		return fmt.Errorf("%s frame of %d bytes (RFC 6455 §5.5: 125 at most)", h.Opcode, h.Length)
	case h.Opcode >= frame.OpClose && !h.Fin:
		return fmt.Errorf("fragmented %s frame (RFC 6455 §5.5)", h.Opcode)
	case h.Opcode == frame.OpContinuation && !inMessage:
		return errors.New("continuation frame without a message in progress (RFC 6455 §5.4)")
	case (h.Opcode == frame.OpText || h.Opcode == frame.OpBinary) && inMessage:
		return fmt.Errorf("%s frame inside a fragmented message (RFC 6455 §5.4)", h.Opcode)
	}
	return nil
}

// parseClose decodes a close payload the endpoint sent.
func parseClose(b []byte) (Event, error) {
	switch len(b) {
	case 0:
		return Event{Kind: Close, Code: frame.StatusNoStatusRcvd}, nil
	case 1:
		return Event{}, errors.New("close frame with a 1-byte payload (RFC 6455 §5.5.1)")
	}
	code := frame.StatusCode(binary.BigEndian.Uint16(b))
	if !validOnWire(code) {
		return Event{}, fmt.Errorf("close frame with code %d, which may not be sent (RFC 6455 §7.4)", uint16(code))
	}
	if !utf8.Valid(b[2:]) {
		return Event{}, errors.New("close reason is not valid UTF-8 (RFC 6455 §5.5.1)")
	}
	return Event{Kind: Close, Code: code, Data: b[2:]}, nil
}

// validOnWire reports whether an endpoint may put code in a close frame: the
// codes of RFC 6455 §7.4.1 and those IANA registered since (1012–1014), and
// the ranges 3000–4999 of §7.4.2. 1005, 1006 and 1015 "MUST NOT be set as a
// status code in a Close control frame by an endpoint".
func validOnWire(code frame.StatusCode) bool {
	return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999
}

// closePayload is the body of a close frame: the code in network byte order,
// then the reason (RFC 6455 §5.5.1). It encodes anything it is given.
func closePayload(code frame.StatusCode, reason string) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(code))
	return append(b, reason...)
}
