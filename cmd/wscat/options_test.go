package main

import (
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/seed865a0254/websocket/ping"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		tty     [2]bool // stdin, stdout are terminals
		check   func(*config) string
		wantErr string
	}{
		{
			name: "a URL with flags before and after it",
			args: []string{"-H", "X-A: 1", "ws://h/p", "-H", "X-B:two", "-s", "chat,json", "-n", "3"},
			check: func(c *config) string {
				return cmp.Diff([]any{"ws://h/p", http.Header{"X-A": {"1"}, "X-B": {"two"}}, []string{"chat", "json"}, 3},
					[]any{c.url, c.header, c.subprotocols, c.count})
			},
		},
		{
			name:  "a URL without a scheme is ws://",
			args:  []string{"127.0.0.1:8080/echo"},
			check: func(c *config) string { return cmp.Diff("ws://127.0.0.1:8080/echo", c.url) },
		},
		{
			name: "defaults",
			args: []string{"wss://h"},
			check: func(c *config) string {
				return cmp.Diff([]any{10 * time.Second, 2 * time.Second, "auto"}, []any{c.timeout, c.wait, c.mode})
			},
		},
		{
			name:  "a terminal on both sides: commands and markers",
			args:  []string{"ws://h"},
			tty:   [2]bool{true, true},
			check: func(c *config) string { return cmp.Diff([2]bool{true, true}, [2]bool{c.interactive, c.decorate}) },
		},
		{
			name:  "a terminal typing into a pipe: commands, plain output",
			args:  []string{"ws://h"},
			tty:   [2]bool{true, false},
			check: func(c *config) string { return cmp.Diff([2]bool{true, false}, [2]bool{c.interactive, c.decorate}) },
		},
		{
			name:  "-x makes a script even in a terminal",
			args:  []string{"-x", "hi", "ws://h"},
			tty:   [2]bool{true, true},
			check: func(c *config) string { return cmp.Diff([2]bool{false, false}, [2]bool{c.interactive, c.decorate}) },
		},
		{
			name:  "-mode tty overrides a pipe",
			args:  []string{"-mode", "tty", "ws://h"},
			check: func(c *config) string { return cmp.Diff([2]bool{true, true}, [2]bool{c.interactive, c.decorate}) },
		},
		{
			name:  "-mode pipe overrides a terminal",
			args:  []string{"-mode", "pipe", "ws://h"},
			tty:   [2]bool{true, true},
			check: func(c *config) string { return cmp.Diff([2]bool{false, false}, [2]bool{c.interactive, c.decorate}) },
		},
		{
			name: "a server",
			args: []string{"-l", "127.0.0.1:0", "-path", "/ws", "-echo", "-s", "chat", "-ping", "1s", "-ping-timeout", "2s"},
			check: func(c *config) string {
				return cmp.Diff([]any{"127.0.0.1:0", "/ws", true, ping.Policy{Interval: time.Second, Timeout: 2 * time.Second}},
					[]any{c.listen, c.path, c.echo, c.ping})
			},
		},
		{name: "-h", args: []string{"-h"}, wantErr: flag.ErrHelp.Error()},
		{name: "no URL", args: nil, wantErr: "give a URL to connect to, or -l ADDR"},
		{name: "a URL and -l", args: []string{"-l", ":0", "ws://h"}, wantErr: "not both"},
		{name: "two URLs", args: []string{"ws://a", "ws://b"}, wantErr: "one URL only"},
		{name: "an unparsable URL", args: []string{"ws://exa mple.com/"}, wantErr: "bad URL"},
		{name: "a URL with another scheme", args: []string{"ftp://h/"}, wantErr: "the scheme must be ws:// or wss://"},
		{name: "a URL without a host", args: []string{"ws:///path"}, wantErr: "no host"},
		{name: "a header without a colon", args: []string{"-H", "Authorization Bearer x", "ws://h"}, wantErr: `header "Authorization Bearer x" has no colon`},
		{name: "a header without a name", args: []string{"-H", ": x", "ws://h"}, wantErr: "bad name"},
		{name: "a client flag with -l", args: []string{"-l", ":0", "-H", "A: b"}, wantErr: "-H is for the client"},
		{name: "a server flag without -l", args: []string{"-echo", "ws://h"}, wantErr: "-echo is for the server"},
		{name: "a path without /", args: []string{"-l", ":0", "-path", "ws"}, wantErr: "must start with /"},
		{name: "a negative -n", args: []string{"-n", "-1", "ws://h"}, wantErr: "-n -1"},
		{name: "a ping timeout without pings", args: []string{"-ping-timeout", "1s", "ws://h"}, wantErr: "-ping, -ping-timeout"},
		{name: "an unknown mode", args: []string{"-mode", "raw", "ws://h"}, wantErr: `-mode "raw"`},
		{name: "an unknown flag", args: []string{"-q", "ws://h"}, wantErr: "flag provided but not defined: -q"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseArgs(tt.args, tt.tty[0], tt.tty[1])
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseArgs(%q) error = %v, want one containing %q", tt.args, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseArgs(%q): %v", tt.args, err)
			}
			if diff := tt.check(cfg); diff != "" {
				t.Fatalf("parseArgs(%q) (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

// -h must fit one screen and name every flag.
func TestUsageFitsOneScreen(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(usage, "\n"), "\n")
	if len(lines) > 24 {
		t.Errorf("-h has %d lines, want at most 24", len(lines))
	}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("-h line of %d columns, want at most 80: %q", n, l)
		}
	}
	n := 0
	(&cmdline{}).flagSet().VisitAll(func(f *flag.Flag) {
		n++
		if !strings.Contains(usage, " -"+f.Name+" ") {
			t.Errorf("-h does not mention -%s", f.Name)
		}
	})
	if n < 19 {
		t.Errorf("%d flags, want at least the 19 of the issue's design", n)
	}
}

func TestCAFile(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		file    string
		wantErr string
	}{
		{name: "a missing file", file: filepath.Join(dir, "none.pem"), wantErr: "no such file"},
		{name: "a file without certificates", file: notPEM, wantErr: "no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseArgs([]string{"-ca", tt.file, "wss://h"}, false, false)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cfg.dialOptions(); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("dialOptions error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
