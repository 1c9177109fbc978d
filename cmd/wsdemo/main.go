// Command wsdemo serves the seed's examples over WebSocket and a page to try
// them in a browser.
//
//	go run ./cmd/wsdemo              # then open the printed URL
//	go run ./cmd/wsdemo -addr :9000
//
// Endpoints:
//
//	/              the page (embedded; it loads nothing from the network)
//	/connect       answers each message with "Received: <text>"; each receive
//	               waits 30 s, and one that times out leaves the connection open
//	/conversation  asks your name and your age (in English), then closes
//	/echo          sends back every text and binary message
//	/chat          a chat room for every client connected to it (open the
//	               page in two tabs): each line goes to everyone, "@name
//	               text" to one member; built on conn.Group
//
// A connection costs the server little, but it is kept within bounds, as a
// careful deployment would:
//
//	-ping-interval 30s  every connection is pinged this often,
//	-ping-timeout 30s   and failed with 1011 when a ping stays unanswered
//	                    this long (a browser answers by itself)
//	-idle-timeout 5m    a client that sends no message this long is closed
//	                    with 1001 (going away)
//	-max-conns 1000     WebSocket connections open at once; beyond them,
//	                    requests are refused with 503
//
// Ctrl-C (SIGINT) or SIGTERM stops the server: every open connection gets a
// close frame with code 1001 (going away) before the process exits, within a
// bounded time (conn.Group's CloseAll).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// shutdownTimeout bounds the goodbye: closing handshakes that take longer are
// cut short. It exceeds the default CloseTimeout (5 s), so a peer that answers
// at all is waited for.
const shutdownTimeout = 8 * time.Second

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "`address` to listen on")
	lim := defaultLimits()
	flag.DurationVar(&lim.ping.Interval, "ping-interval", lim.ping.Interval, "time between pings on every connection (0: no pings)")
	flag.DurationVar(&lim.ping.Timeout, "ping-timeout", lim.ping.Timeout, "how long a ping may stay unanswered before the connection is failed (0: forever)")
	flag.DurationVar(&lim.idleTimeout, "idle-timeout", lim.idleTimeout, "how long a client may send nothing before its connection is closed")
	flag.IntVar(&lim.maxConns, "max-conns", lim.maxConns, "WebSocket connections open at once; more are refused with 503")
	flag.Parse()
	if err := lim.check(); err != nil {
		fmt.Fprintln(os.Stderr, "wsdemo:", err)
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends the process at once
	}()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wsdemo:", err)
		os.Exit(1)
	}
	if err := serve(ctx, ln, os.Stdout, lim); err != nil {
		fmt.Fprintln(os.Stderr, "wsdemo:", err)
		os.Exit(1)
	}
}

// newServer returns the HTTP server wsdemo runs, with bounds on the request
// header: how long a client may take to send it, and how large it may be.
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// serve runs the demo on ln, within lim, until ctx is done, then shuts down:
// the listener closes, and every open WebSocket connection is closed with
// 1001.
func serve(ctx context.Context, ln net.Listener, out io.Writer, lim limits) error {
	d := newDemo(out)
	d.limits = lim
	srv := newServer(d.handler())
	fmt.Fprintf(out, "wsdemo: open %s in a browser (Ctrl-C to stop)\n", pageURL(ln.Addr()))

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}

	d.log.Print("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := errors.Join(srv.Shutdown(sctx), d.shutdown(sctx))
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	d.log.Print("stopped")
	return err
}

// pageURL is the address a browser should open for a listener on addr.
func pageURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}
