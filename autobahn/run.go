package autobahn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

// Agent names under which the reports list our two testees.
const (
	ServerAgent = "websocket-server"
	ClientAgent = "websocket-client"
)

// Config describes one run of the testsuite.
type Config struct {
	// Engine runs wstest (see FindEngine). Required.
	Engine *Engine
	// Dir receives the spec file, wstest's output (wstest-server.log,
	// wstest-client.log) and the reports (reports/server, reports/client).
	// It is created if missing; earlier reports in it are replaced.
	Dir string
	// Cases and Exclude select cases with the testsuite's patterns ("1.*",
	// "9.1.1"); nil means DefaultCases and DefaultExclude.
	Cases, Exclude []string
	// ReadLimit bounds one message in our server or client; 0 means
	// DefaultReadLimit.
	ReadLimit int64
	// Compression is the permessage-deflate policy of our server and
	// client; nil means none (sections 12 and 13 then fail).
	Compression *conn.Compression
	// Log, when set, also receives wstest's output and the testee's progress.
	Log io.Writer
	// StartTimeout bounds the wait for the fuzzing server to listen; 0 means
	// one minute for a local wstest and ten (the image may need pulling)
	// for Docker.
	StartTimeout time.Duration
}

// RunServer runs the testsuite's fuzzingclient mode against our server: an
// EchoHandler served in-process on a free port of 127.0.0.1. It returns the
// report of the run; a report with failing cases is not an error.
func RunServer(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Engine == nil {
		return nil, errors.New("autobahn: run server: no engine")
	}
	if err := prepare(cfg.Dir, serverReportDir); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("autobahn: run server: %w", err)
	}
	srv := &http.Server{Handler: EchoHandler(cfg.ReadLimit, cfg.Compression), ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
	go srv.Serve(ln) // returns when srv is closed
	defer srv.Close()

	url := "ws://" + ln.Addr().String()
	spec := NewServerSpec(ServerAgent, url, cfg.Cases, cfg.Exclude)
	if err := writeSpec(filepath.Join(cfg.Dir, serverSpecFile), spec); err != nil {
		return nil, err
	}
	out, closeOut, err := logFile(cfg, "wstest-server.log")
	if err != nil {
		return nil, err
	}
	defer closeOut()
	fmt.Fprintf(out, "autobahn: fuzzingclient (%s) against our server at %s\n", cfg.Engine, url)
	cmd, cleanup := cfg.Engine.command(ctx, cfg.Dir, "-m", "fuzzingclient", "-s", serverSpecFile)
	defer cleanup()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("autobahn: run server: wstest: %w (output in %s)", err, filepath.Join(cfg.Dir, "wstest-server.log"))
	}
	return ReadReport(filepath.Join(cfg.Dir, serverReportDir), ServerAgent)
}

// RunClient runs the testsuite's fuzzingserver mode on a free port of
// 127.0.0.1 and our client testee against it. It returns the report of the
// run; a report with failing cases is not an error.
func RunClient(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Engine == nil {
		return nil, errors.New("autobahn: run client: no engine")
	}
	if err := prepare(cfg.Dir, clientReportDir); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("autobahn: run client: %w", err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	url := "ws://" + addr
	if err := writeSpec(filepath.Join(cfg.Dir, clientSpecFile), NewClientSpec(url, cfg.Cases, cfg.Exclude)); err != nil {
		return nil, err
	}
	out, closeOut, err := logFile(cfg, "wstest-client.log")
	if err != nil {
		return nil, err
	}
	defer closeOut()
	fmt.Fprintf(out, "autobahn: fuzzingserver (%s) at %s against our client\n", cfg.Engine, url)

	serverCtx, stopServer := context.WithCancel(ctx)
	defer stopServer()
	// -u 0: no web server beside the fuzzing server (it would take port 8080).
	cmd, cleanup := cfg.Engine.command(serverCtx, cfg.Dir, "-m", "fuzzingserver", "-s", clientSpecFile, "-u", "0")
	defer cleanup()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("autobahn: run client: start wstest: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	timeout := cfg.StartTimeout
	if timeout == 0 {
		timeout = time.Minute
		if cfg.Engine.Wstest == "" {
			timeout = 10 * time.Minute
		}
	}
	if err := waitListening(ctx, addr, timeout, exited); err != nil {
		stopServer()
		return nil, fmt.Errorf("autobahn: run client: fuzzing server: %w (output in %s)", err, filepath.Join(cfg.Dir, "wstest-client.log"))
	}
	testee := &Testee{URL: url, Agent: ClientAgent, ReadLimit: cfg.ReadLimit, Compression: cfg.Compression, Log: cfg.Log}
	runErr := testee.Run(ctx)
	stopServer()
	<-exited // an interrupted wstest exits with an error: expected
	if runErr != nil {
		return nil, fmt.Errorf("autobahn: run client: %w", runErr)
	}
	return ReadReport(filepath.Join(cfg.Dir, clientReportDir), ClientAgent)
}

// prepare creates dir and removes an earlier report directory in it.
func prepare(dir, reports string) error {
	if dir == "" {
		return errors.New("autobahn: no output directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("autobahn: %w", err)
	}
	if err := os.RemoveAll(filepath.Join(dir, reports)); err != nil {
		return fmt.Errorf("autobahn: remove old reports: %w", err)
	}
	return nil
}

// logFile opens dir/name for wstest's output, teed to cfg.Log when set.
func logFile(cfg Config, name string) (io.Writer, func(), error) {
	f, err := os.Create(filepath.Join(cfg.Dir, name))
	if err != nil {
		return nil, nil, fmt.Errorf("autobahn: %w", err)
	}
	var w io.Writer = f
	if cfg.Log != nil {
		w = io.MultiWriter(f, cfg.Log)
	}
	return w, func() { f.Close() }, nil
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitListening waits until addr accepts TCP connections, the process
// reports its exit on exited, ctx ends or timeout passes.
func waitListening(ctx context.Context, addr string, timeout time.Duration, exited <-chan error) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening at %s after %s", addr, timeout)
		}
		select {
		case err := <-exited:
			return fmt.Errorf("exited before listening: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
