package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/ping"
)

// usage is the whole of -h: one screen (at most 24 lines of at most 80
// columns; TestUsageFitsOneScreen holds it to that and to every flag).
const usage = `usage: wscat [flags] URL       talk to a WebSocket server (ws://, wss://)
       wscat [flags] -l ADDR   serve WebSocket clients on ADDR (host:port)
In a terminal, a line is a text message; commands: /ping [text], /binary DATA,
/close [code [reason]], /quit (// starts a line with /). With -l, "@ID line"
goes to client ID only, other lines to all. Ctrl-D closes with 1000, Ctrl-C
with 1001. From a pipe, each line is sent as is and stdout has only the
messages; exit status 0 means a normal close (1000 or 1001).
  -H 'Name: value'  request header (repeatable)
  -s a,b            subprotocols to offer (with -l: to accept)
  -o ORIGIN         Origin to send (with -l: origin patterns to allow, or *)
  -ca FILE          trust the CA certificates in FILE (PEM) for wss://
  -insecure         do not verify the server's certificate (testing only)
  -timeout D        connect timeout: TCP, proxy (from HTTPS_PROXY...), TLS (10s)
  -ping D           ping every D; -ping-timeout D: fail when unanswered for D
  -z                offer (with -l: accept) permessage-deflate compression
  -path P           with -l: serve only path P      -echo  with -l: echo back
  -x MSG            send MSG (repeatable) instead of reading stdin
  -n N              exit after N messages received
  -wait D           when stdin ends, wait D for them or a close (2s; 0: forever)
  -b                lines are binary messages, written as hex (base64 if -b64)
  -b64              show and read binary data as base64 instead of hex
  -ts               timestamp every line
  -mode M           auto (terminal if stdin is one), tty or pipe
`

// config is what the command line asks for.
type config struct {
	url          string // the server's URL (client mode)
	listen       string // -l: the address to listen on (server mode)
	path         string
	header       http.Header
	subprotocols []string
	origin       string
	caFile       string
	insecure     bool
	timeout      time.Duration
	ping         ping.Policy
	compress     bool
	echo         bool
	exec         []string
	count        int
	wait         time.Duration
	binaryLines  bool
	base64       bool
	stamps       bool
	mode         string

	interactive bool // commands on stdin, Ctrl-D closes at once
	decorate    bool // direction markers on stdout, status lines on stderr
}

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ", ") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// cmdline is what the flags fill in, before parseArgs checks it.
type cmdline struct {
	cfg          config
	headers      repeated
	exec         repeated
	subprotocols string
}

// flagSet defines the flags (usage documents them).
func (c *cmdline) flagSet() *flag.FlagSet {
	cfg := &c.cfg
	fs := flag.NewFlagSet("wscat", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&c.headers, "H", "")
	fs.StringVar(&c.subprotocols, "s", "", "")
	fs.StringVar(&cfg.origin, "o", "", "")
	fs.StringVar(&cfg.caFile, "ca", "", "")
	fs.BoolVar(&cfg.insecure, "insecure", false, "")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "")
	fs.DurationVar(&cfg.ping.Interval, "ping", 0, "")
	fs.DurationVar(&cfg.ping.Timeout, "ping-timeout", 0, "")
	fs.BoolVar(&cfg.compress, "z", false, "")
	fs.StringVar(&cfg.listen, "l", "", "")
	fs.StringVar(&cfg.path, "path", "", "")
	fs.BoolVar(&cfg.echo, "echo", false, "")
	fs.Var(&c.exec, "x", "")
	fs.IntVar(&cfg.count, "n", 0, "")
	fs.DurationVar(&cfg.wait, "wait", 2*time.Second, "")
	fs.BoolVar(&cfg.binaryLines, "b", false, "")
	fs.BoolVar(&cfg.base64, "b64", false, "")
	fs.BoolVar(&cfg.stamps, "ts", false, "")
	fs.StringVar(&cfg.mode, "mode", "auto", "")
	return fs
}

// parseArgs reads the command line. stdinTerminal and stdoutTerminal tell
// whether those are terminals (for -mode auto). Flags may follow the URL.
func parseArgs(args []string, stdinTerminal, stdoutTerminal bool) (*config, error) {
	c := &cmdline{}
	fs := c.flagSet()
	cfg := &c.cfg
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	cfg.exec = c.exec
	if c.subprotocols != "" {
		cfg.subprotocols = strings.Split(c.subprotocols, ",")
	}
	var err error
	if cfg.header, err = parseHeaders(c.headers); err != nil {
		return nil, err
	}
	switch {
	case len(positional) > 1:
		return nil, fmt.Errorf("one URL only, got %q", positional)
	case len(positional) == 1 && set["l"]:
		return nil, errors.New("give a URL or -l ADDR, not both")
	case len(positional) == 0 && !set["l"]:
		return nil, errors.New("give a URL to connect to, or -l ADDR to listen on")
	case len(positional) == 1:
		if cfg.url, err = parseURL(positional[0]); err != nil {
			return nil, err
		}
	}
	for _, name := range modeFlags(set["l"]) {
		if set[name] {
			if set["l"] {
				return nil, fmt.Errorf("-%s is for the client (no -l)", name)
			}
			return nil, fmt.Errorf("-%s is for the server (-l)", name)
		}
	}
	if cfg.path != "" && !strings.HasPrefix(cfg.path, "/") {
		return nil, fmt.Errorf("-path %q must start with /", cfg.path)
	}
	if cfg.count < 0 {
		return nil, fmt.Errorf("-n %d: must be 0 or more", cfg.count)
	}
	if cfg.timeout <= 0 || cfg.wait < 0 {
		return nil, errors.New("-timeout must be positive and -wait not negative")
	}
	if err := cfg.ping.Validate(); err != nil {
		return nil, fmt.Errorf("-ping, -ping-timeout: %v", err)
	}
	switch cfg.mode {
	case "auto":
		// -x sends its messages instead of what is typed: a script.
		cfg.interactive = stdinTerminal && len(cfg.exec) == 0
		cfg.decorate = cfg.interactive && stdoutTerminal
	case "tty":
		cfg.interactive, cfg.decorate = true, true
	case "pipe":
	default:
		return nil, fmt.Errorf("-mode %q: want auto, tty or pipe", cfg.mode)
	}
	return cfg, nil
}

// modeFlags returns the flags that the other mode takes.
func modeFlags(server bool) []string {
	if server {
		return []string{"H", "ca", "insecure", "timeout", "x", "wait"}
	}
	return []string{"path", "echo"}
}

// parseURL checks a server URL; one without a scheme is taken as ws://.
func parseURL(s string) (string, error) {
	if !strings.Contains(s, "://") {
		s = "ws://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("bad URL: %v", err)
	}
	switch u.Scheme {
	case "ws", "wss", "http", "https":
	default:
		return "", fmt.Errorf("bad URL %q: the scheme must be ws:// or wss://", s)
	}
	if u.Host == "" {
		return "", fmt.Errorf("bad URL %q: no host", s)
	}
	return s, nil
}

// parseHeaders turns "Name: value" strings into a header.
func parseHeaders(lines []string) (http.Header, error) {
	if len(lines) == 0 {
		return nil, nil
	}
	h := http.Header{}
	for _, line := range lines {
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok {
			return nil, fmt.Errorf("header %q has no colon (want -H 'Name: value')", line)
		}
		if name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("header %q: bad name %q", line, name)
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}

// dialOptions returns the options of conn.Dial; it reads the -ca file.
func (c *config) dialOptions() (*conn.DialOptions, error) {
	opts := &conn.DialOptions{
		Header:       c.header,
		Subprotocols: c.subprotocols,
		Ping:         c.ping,
	}
	if c.origin != "" {
		if opts.Header == nil {
			opts.Header = http.Header{}
		}
		opts.Header.Set("Origin", c.origin)
	}
	if c.compress {
		opts.Compression = &conn.Compression{}
	}
	if c.caFile != "" || c.insecure {
		opts.TLSConfig = &tls.Config{InsecureSkipVerify: c.insecure}
	}
	if c.caFile != "" {
		pem, err := os.ReadFile(c.caFile)
		if err != nil {
			return nil, fmt.Errorf("-ca: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("-ca %s: no PEM certificate in it", c.caFile)
		}
		opts.TLSConfig.RootCAs = pool
	}
	return opts, nil
}

// acceptOptions returns the options of conn.Accept.
func (c *config) acceptOptions() *conn.AcceptOptions {
	opts := &conn.AcceptOptions{Subprotocols: c.subprotocols, Ping: c.ping}
	switch c.origin {
	case "":
	case "*":
		opts.InsecureSkipOriginCheck = true
	default:
		opts.OriginPatterns = strings.Split(c.origin, ",")
	}
	if c.compress {
		opts.Compression = &conn.Compression{}
	}
	return opts
}
