// Command wsdemo serves the seed's examples over WebSocket and a page to try
// them in a browser.
//
//	go run ./cmd/wsdemo              # then open the printed URL
//	go run ./cmd/wsdemo -addr :9000
//	GODEBUG=http2xconnect=1 go run ./cmd/wsdemo -tls
//
// With -tls the demo serves HTTPS, with a certificate it makes for localhost
// at start (a browser warns about it), and HTTP/2. Run with
// GODEBUG=http2xconnect=1, the page's WebSockets then open as streams of the
// page's own HTTP/2 connection (RFC 8441); without it, each opens an
// HTTP/1.1 connection of its own, as over plain HTTP. The log says which:
// "open (CONNECT HTTP/2.0)" or "open (GET HTTP/1.1)".
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
	"crypto/tls"
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
	useTLS := flag.Bool("tls", false, "serve HTTPS and HTTP/2, with a certificate made for localhost at start")
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
	var cfg *tls.Config
	if *useTLS {
		if cfg, err = localhostTLS(); err != nil {
			fmt.Fprintln(os.Stderr, "wsdemo:", err)
			os.Exit(1)
		}
	}
	if err := serve(ctx, ln, os.Stdout, lim, cfg); err != nil {
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
// 1001. With cfg it serves HTTPS, and HTTP/2 to clients that ask for it.
func serve(ctx context.Context, ln net.Listener, out io.Writer, lim limits, cfg *tls.Config) error {
	d := newDemo(out)
	d.limits = lim
	srv := newServer(d.handler())
	scheme := "http"
	if cfg != nil {
		scheme = "https"
		srv.TLSConfig = cfg
		ws := "WebSockets over HTTP/2 are on (GODEBUG=http2xconnect=1)"
		if !extendedConnect() {
			ws = "WebSockets use HTTP/1.1: run with GODEBUG=http2xconnect=1 to open them over HTTP/2"
		}
		fmt.Fprintf(out, "wsdemo: HTTPS and HTTP/2 with a certificate made for localhost; %s\n", ws)
	}
	fmt.Fprintf(out, "wsdemo: open %s in a browser (Ctrl-C to stop)\n", pageURL(scheme, ln.Addr()))

	served := make(chan error, 1)
	go func() {
		if cfg != nil {
			served <- srv.ServeTLS(ln, "", "")
			return
		}
		served <- srv.Serve(ln)
	}()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}

	d.log.Print("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	// The WebSockets are closed while the server shuts down, not after: one
	// on an HTTP/2 stream keeps its handler, and Shutdown waits for it.
	closed := make(chan error, 1)
	go func() { closed <- d.shutdown(sctx) }()
	err := errors.Join(srv.Shutdown(sctx), <-closed)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	d.log.Print("stopped")
	return err
}

// pageURL is the address a browser should open for a listener on addr,
// with scheme http or https.
func pageURL(scheme string, addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return scheme + "://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/"
}
