// Package faultproxy is a TCP proxy on loopback for tests that puts faults
// into the byte streams it forwards: it splits them into writes at chosen or
// random boundaries, delays them, stalls one direction, or cuts the whole
// connection with a FIN or a reset at a chosen byte. It reorders, loses and
// changes no byte: TCP does none of that.
//
// Only tests import it (cmd/layout_test.go checks).
//
// # Concurrency
//
// A Proxy's methods are safe from any goroutine. Each connection it forwards
// runs two goroutines, one per direction; Close ends them all and waits.
package faultproxy

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// Direction names one of the two streams of a connection.
type Direction int

// The two directions.
const (
	Up   Direction = iota // from the proxy's client to the target
	Down                  // from the target to the proxy's client
)

// String returns "up" or "down".
func (d Direction) String() string {
	if d == Up {
		return "up"
	}
	return "down"
}

// Cut says how a connection is cut.
type Cut uint8

// The ways to cut.
const (
	NoCut Cut = iota
	FIN       // both ends see the stream end (a half-close of each leg)
	RST       // both ends see a reset (SO_LINGER 0, then close)
)

// String returns "fin", "rst" or "none".
func (c Cut) String() string {
	switch c {
	case FIN:
		return "fin"
	case RST:
		return "rst"
	}
	return "none"
}

// Plan is what happens to one direction of a connection. The zero Plan
// forwards every byte as it comes.
type Plan struct {
	// SplitAt lists offsets in the stream where a write ends: the bytes
	// before and after an offset leave in separate writes, Pause apart.
	SplitAt []int64
	// MaxWrite, if positive, bounds every write (1: a byte at a time).
	MaxWrite int
	// Rand, if set, cuts the stream into writes of random sizes, from 1 to
	// RandMax bytes (16 if RandMax is 0). Seed it for a reproducible run.
	Rand    *rand.Rand
	RandMax int
	// Pause separates two writes of the stream, so that the far end reads
	// them apart; Delay comes before every write.
	Pause, Delay time.Duration
	// Stall stops the direction once StallAt bytes have gone through: the
	// proxy stops reading, and the sender's TCP window fills.
	Stall   bool
	StallAt int64
	// Cut ends the whole connection, both directions, once CutAt bytes of
	// this direction have gone through.
	Cut   Cut
	CutAt int64
}

// Faults is the plan of each direction.
type Faults struct{ Up, Down Plan }

// Proxy accepts TCP connections on a loopback address and forwards each to
// its target, following the Faults its function returns for the connection.
type Proxy struct {
	ln     net.Listener
	target string
	faults func() Faults

	mu     sync.Mutex
	conns  map[*link]bool
	closed bool
	sent   [2]int64 // bytes forwarded, per Direction, over all connections
	wg     sync.WaitGroup
}

// Listen starts a proxy on 127.0.0.1 to target. faults is called once per
// accepted connection (nil: no faults).
func Listen(target string, faults func() Faults) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if faults == nil {
		faults = func() Faults { return Faults{} }
	}
	p := &Proxy{ln: ln, target: target, faults: faults, conns: map[*link]bool{}}
	p.wg.Go(p.accept)
	return p, nil
}

// Addr returns the address the proxy listens on, host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Forwarded returns how many bytes the proxy has forwarded in direction d,
// over all its connections so far: the bytes it has written, or is
// writing, so that bytes the far end has read are always counted.
func (p *Proxy) Forwarded(d Direction) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent[d]
}

// Close stops accepting, ends every connection with a reset and waits for
// every goroutine of the proxy to return.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for l := range p.conns {
		l.cut(RST)
		l.close(true) // even after a FIN cut whose ends never closed
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		t, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		l := &link{legs: [2]*net.TCPConn{c.(*net.TCPConn), t.(*net.TCPConn)}, done: make(chan struct{})}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			l.close(true)
			return
		}
		p.conns[l] = true
		p.mu.Unlock()
		f := p.faults()
		var pumps sync.WaitGroup
		pumps.Go(func() { p.pump(l, Up, f.Up) })
		pumps.Go(func() { p.pump(l, Down, f.Down) })
		p.wg.Go(func() {
			pumps.Wait()
			l.close(false)
			p.mu.Lock()
			delete(p.conns, l)
			p.mu.Unlock()
		})
	}
}

// link is one proxied connection: legs[0] to the client, legs[1] to the
// target.
type link struct {
	legs [2]*net.TCPConn
	once sync.Once
	done chan struct{} // closed by the cut
	how  Cut
}

// cut ends the link: with a FIN each leg is half-closed (the pumps then
// discard what still arrives until the ends close); with a reset each leg
// is closed at once with SO_LINGER 0.
func (l *link) cut(how Cut) {
	l.once.Do(func() {
		l.how = how
		close(l.done)
		if how == RST {
			l.close(true)
			return
		}
		for _, c := range l.legs {
			c.CloseWrite()
		}
	})
}

// close closes both legs, with a reset if rst.
func (l *link) close(rst bool) {
	for _, c := range l.legs {
		if rst {
			c.SetLinger(0)
		}
		c.Close()
	}
}

func (l *link) isCut() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// pump forwards direction d of l under plan.
func (p *Proxy) pump(l *link, d Direction, plan Plan) {
	src, dst := l.legs[0], l.legs[1]
	if d == Down {
		src, dst = dst, src
	}
	defer func() {
		// Discard what still arrives after a FIN cut, until the sender
		// closes: a leg closed with unread bytes would send a reset.
		if l.isCut() && l.how == FIN {
			io.Copy(io.Discard, src)
		}
	}()
	var off int64
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		b := buf[:n]
		for len(b) > 0 {
			k := plan.next(off, len(b))
			if plan.Stall && off+int64(k) > plan.StallAt {
				k = int(max(plan.StallAt-off, 0))
			}
			if plan.Cut != NoCut && off+int64(k) > plan.CutAt {
				k = int(max(plan.CutAt-off, 0))
			}
			if k > 0 && !p.write(l, d, dst, b[:k], plan.Delay) {
				return
			}
			off += int64(k)
			b = b[k:]
			if plan.Cut != NoCut && off == plan.CutAt {
				l.cut(plan.Cut)
				return
			}
			if plan.Stall && off == plan.StallAt {
				<-l.done
				return
			}
			if len(b) > 0 && plan.Pause > 0 {
				time.Sleep(plan.Pause)
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) && !l.isCut() {
				dst.CloseWrite() // pass the FIN on
			}
			return
		}
	}
}

// write forwards b after delay, unless the link was cut meanwhile.
func (p *Proxy) write(l *link, d Direction, dst *net.TCPConn, b []byte, delay time.Duration) bool {
	if delay > 0 {
		time.Sleep(delay)
	}
	if l.isCut() {
		return false
	}
	// Counted before the write: once the far end has read the bytes, they
	// are in Forwarded.
	p.mu.Lock()
	p.sent[d] += int64(len(b))
	p.mu.Unlock()
	_, err := dst.Write(b)
	return err == nil
}

// next returns how many of n bytes available at offset off go in the next
// write.
func (plan *Plan) next(off int64, n int) int {
	k := n
	if plan.MaxWrite > 0 {
		k = min(k, plan.MaxWrite)
	}
	if plan.Rand != nil {
		most := plan.RandMax
		if most <= 0 {
			most = 16
		}
		k = min(k, 1+plan.Rand.IntN(most))
	}
	for _, s := range plan.SplitAt {
		if s > off && s < off+int64(k) {
			k = int(s - off)
		}
	}
	return k
}
