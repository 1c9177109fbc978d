package faultproxy

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"
)

// target accepts one connection and returns what it reads until the end,
// or until nothing came for 200 ms.
func target(t *testing.T) (addr string, got <-chan []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan []byte, 1)
	go func() {
		defer ln.Close()
		c, err := ln.Accept()
		if err != nil {
			ch <- nil
			return
		}
		defer c.Close()
		var b []byte
		buf := make([]byte, 4096)
		for {
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			n, err := c.Read(buf)
			b = append(b, buf[:n]...)
			if err != nil {
				break
			}
		}
		ch <- b
	}()
	return ln.Addr().String(), ch
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// The target receives exactly the bytes of the plan: all of them whatever
// the splits, the first CutAt of them before a FIN cut, the first StallAt
// of them during a stall.
func TestForwardedBytes(t *testing.T) {
	data := seq(1000)
	tests := []struct {
		name string
		plan Plan
		want int
	}{
		{"no faults", Plan{}, 1000},
		{"split at 1 and 999", Plan{SplitAt: []int64{1, 999}, Pause: time.Millisecond}, 1000},
		{"a byte at a time", Plan{MaxWrite: 1}, 1000},
		{"random pieces", Plan{Rand: newRand(7), Delay: 10 * time.Microsecond}, 1000},
		{"cut by FIN at 0", Plan{Cut: FIN, CutAt: 0}, 0},
		{"cut by FIN at 437", Plan{Cut: FIN, CutAt: 437, MaxWrite: 100}, 437},
		{"stall at 999", Plan{Stall: true, StallAt: 999}, 999},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, got := target(t)
			p, err := Listen(addr, func() Faults { return Faults{Up: tt.plan} })
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			c, err := net.Dial("tcp", p.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.Write(data)
			c.(*net.TCPConn).CloseWrite() // the proxy passes the FIN on
			b := <-got
			if !bytes.Equal(b, data[:tt.want]) {
				t.Fatalf("target got %d bytes, want the first %d", len(b), tt.want)
			}
			if n := p.Forwarded(Up); n != int64(tt.want) {
				t.Fatalf("Forwarded(Up) = %d, want %d", n, tt.want)
			}
		})
	}
}

// A cut by reset reaches the client as a reset, and Close ends every
// goroutine of the proxy even with a direction stalled.
func TestResetAndClose(t *testing.T) {
	addr, got := target(t)
	p, err := Listen(addr, func() Faults { return Faults{Up: Plan{Cut: RST, CutAt: 10}, Down: Plan{Stall: true}} })
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(seq(100))
	c.SetReadDeadline(time.Now().Add(time.Second))
	_, err = c.Read(make([]byte, 1))
	if ne, ok := err.(*net.OpError); !ok || ne.Timeout() || err == io.EOF {
		t.Fatalf("client read after a reset: %v, want a reset", err)
	}
	<-got
	done := make(chan struct{})
	go func() { p.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Close did not return")
	}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }
