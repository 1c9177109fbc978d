package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
		stdout string
	}{
		{name: "no command", args: nil, status: 2, stderr: "usage:"},
		{name: "unknown command", args: []string{"serve"}, status: 2, stderr: `unknown command "serve"`},
		{name: "help", args: []string{"help"}, status: 0, stdout: "autobahn client -url"},
		{name: "client unknown flag", args: []string{"client", "-port", "1"}, status: 2, stderr: "-port"},
		{name: "client extra argument", args: []string{"client", "extra"}, status: 2, stderr: "unexpected arguments"},
		{name: "client zero read limit", args: []string{"client", "-read-limit", "0"}, status: 2, stderr: "-read-limit"},
		{name: "run bad side", args: []string{"run", "-side", "middle"}, status: 2, stderr: "-side"},
		{name: "run extra argument", args: []string{"run", "now"}, status: 2, stderr: "unexpected arguments"},
		{name: "run zero read limit", args: []string{"run", "-read-limit", "0"}, status: 2, stderr: "-read-limit"},
		{
			name:   "run with a missing wstest",
			args:   []string{"run", "-wstest", filepath.Join("no", "such", "wstest")},
			status: 1,
			stderr: "wstest",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			status := run(context.Background(), tt.args, &stdout, &stderr)
			if status != tt.status {
				t.Errorf("status = %d, want %d (stderr %q)", status, tt.status, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.stderr)
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout = %q, want it to contain %q", stdout.String(), tt.stdout)
			}
		})
	}
}

func TestClientUnreachable(t *testing.T) {
	var stdout, stderr strings.Builder
	// Port 1 on the loopback interface: nothing listens there.
	status := run(context.Background(), []string{"client", "-url", "ws://127.0.0.1:1", "-agent", "x"}, &stdout, &stderr)
	if status != 1 || !strings.Contains(stderr.String(), "case count") {
		t.Errorf("status %d, stderr %q; want 1 and a case-count error", status, stderr.String())
	}
}
