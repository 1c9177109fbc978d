// Command autobahn runs the Autobahn WebSocket testsuite against this
// module's server and client.
//
// Usage:
//
//	autobahn client -url ws://127.0.0.1:9001 -agent NAME [-read-limit N]
//	autobahn run [-wstest PATH] [-cases 1.*,2.*] [-out DIR] [flags]
//
// "client" is the client testee: it connects to a fuzzing server that is
// already running (wstest -m fuzzingserver), runs every case it announces,
// echoing each message back with the same type, and asks it to write its
// reports. The read limit defaults to 64 MiB: section 9 sends messages of up
// to 16 MiB.
//
// "run" is the full conformance run: the testsuite's fuzzingclient against
// our echo server (in-process, on 127.0.0.1) and its fuzzingserver against
// our client. The testsuite runs through the wstest command given by -wstest
// or $AUTOBAHN_WSTEST, else through Docker (crossbario/autobahn-testsuite)
// when "docker info" answers, else through a wstest in $PATH. It prints a
// summary of each side, with the details of every failing case, compares the
// outcomes with the committed expectations (autobahn/testdata) and exits with
// status 1 when any case fails. Sections 12 and 13 (permessage-deflate) run
// with the library's default compression policy; -peer-context-takeover lets
// the testsuite compress with context takeover, so that inflating with a
// kept window is exercised too; -compress=false turns compression off.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/seed865a0254/websocket/autobahn"
	"github.com/seed865a0254/websocket/conn"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  autobahn client -url ws://127.0.0.1:9001 -agent NAME [-read-limit N]
  autobahn run [-wstest PATH] [-cases 1.*,2.*] [-out DIR] [-side both|server|client]
               [-expected DIR] [-update] [-read-limit N] [-v]
`

// run executes one subcommand and returns the exit status: 0 on success, 1
// when a case fails or the run breaks, 2 for a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "client":
		return runClient(ctx, args[1:], stdout, stderr)
	case "run":
		return runSuite(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "autobahn: unknown command %q\n%s", args[0], usage)
		return 2
	}
}

func runClient(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("autobahn client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "ws://127.0.0.1:9001", "`URL` of the running fuzzing server")
	agent := fs.String("agent", autobahn.ClientAgent, "`name` of the client in the reports")
	readLimit := fs.Int64("read-limit", autobahn.DefaultReadLimit, "largest message accepted, in `bytes`")
	compress := fs.Bool("compress", true, "offer permessage-deflate")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "autobahn client: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *readLimit == 0 {
		fmt.Fprintln(stderr, "autobahn client: -read-limit must not be 0 (use -1 for no limit)")
		return 2
	}
	t := &autobahn.Testee{URL: *url, Agent: *agent, ReadLimit: *readLimit, Log: stdout}
	if *compress {
		t.Compression = &conn.Compression{}
	}
	if err := t.Run(ctx); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "done: the fuzzing server has written its reports for %q\n", *agent)
	return 0
}

func runSuite(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("autobahn run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	wstest := fs.String("wstest", "", "`path` of a wstest command (default: $"+autobahn.WstestEnv+", else Docker, else wstest in $PATH)")
	cases := fs.String("cases", "", "comma-separated case `patterns` to run (default: "+strings.Join(autobahn.DefaultCases, ",")+")")
	out := fs.String("out", "", "`directory` for spec files, logs and reports (default: a new temporary directory)")
	side := fs.String("side", "both", "which testee to run: `both`, server or client")
	expected := fs.String("expected", filepath.Join("autobahn", "testdata"), "`directory` of expected-server.json and expected-client.json")
	update := fs.Bool("update", false, "rewrite the expected files from this run instead of comparing")
	readLimit := fs.Int64("read-limit", autobahn.DefaultReadLimit, "largest message our server and client accept, in `bytes`")
	verbose := fs.Bool("v", false, "show wstest's output and the client's progress")
	compress := fs.Bool("compress", true, "negotiate permessage-deflate (sections 12 and 13 need it)")
	takeover := fs.Bool("peer-context-takeover", false, "let the peer compress with context takeover (by default our server answers client_no_context_takeover and our client offers server_no_context_takeover)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "autobahn run: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *side != "both" && *side != "server" && *side != "client" {
		fmt.Fprintf(stderr, "autobahn run: -side must be both, server or client, not %q\n", *side)
		return 2
	}
	if *readLimit == 0 {
		fmt.Fprintln(stderr, "autobahn run: -read-limit must not be 0 (use -1 for no limit)")
		return 2
	}
	engine, err := autobahn.FindEngine(ctx, *wstest)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	dir := *out
	if dir == "" {
		if dir, err = os.MkdirTemp("", "autobahn-"); err != nil {
			fmt.Fprintln(stderr, "autobahn run:", err)
			return 1
		}
	}
	cfg := autobahn.Config{Engine: engine, Dir: dir, ReadLimit: *readLimit}
	if *compress {
		cfg.Compression = &conn.Compression{PeerContextTakeover: *takeover}
	}
	if *cases != "" {
		cfg.Cases = strings.Split(*cases, ",")
	}
	if *verbose {
		cfg.Log = stderr
	}
	fmt.Fprintf(stdout, "running the Autobahn testsuite with the %s; output in %s\n", engine, dir)

	type testee struct {
		name, title, file string
		run               func(context.Context, autobahn.Config) (*autobahn.Report, error)
	}
	var testees []testee
	if *side != "client" {
		testees = append(testees, testee{"server", "fuzzingclient against our server", "expected-server.json", autobahn.RunServer})
	}
	if *side != "server" {
		testees = append(testees, testee{"client", "fuzzingserver against our client", "expected-client.json", autobahn.RunClient})
	}
	status := 0
	for _, te := range testees {
		rep, err := te.run(ctx, cfg)
		if err != nil {
			fmt.Fprintf(stderr, "autobahn run: %s: %v\n", te.name, err)
			status = 1
			if rep == nil {
				continue
			}
		}
		fmt.Fprintln(stdout)
		rep.Summary(stdout, te.title, 5)
		if len(rep.Failures()) > 0 {
			status = 1
		}
		if err := compare(stdout, filepath.Join(*expected, te.file), rep, cfg, *update); err != nil {
			fmt.Fprintln(stderr, "autobahn run:", err)
			status = 1
		}
	}
	return status
}

// compare prints how rep differs from the expectations at path, or rewrites
// them when update is set. A missing file is reported, not an error.
func compare(w io.Writer, path string, rep *autobahn.Report, cfg autobahn.Config, update bool) error {
	include, exclude := cfg.Cases, autobahn.DefaultExclude
	if include == nil {
		include = autobahn.DefaultCases
	}
	old, err := autobahn.LoadExpectations(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if update {
		if err := autobahn.SaveExpectations(path, autobahn.Update(old, rep.Expect(), include, exclude)); err != nil {
			return err
		}
		fmt.Fprintf(w, "updated %s\n", path)
		return nil
	}
	if old == nil {
		fmt.Fprintf(w, "no expectations at %s: nothing to compare (-update creates it)\n", path)
		return nil
	}
	changes := autobahn.Diff(old.Select(include, exclude), rep.Expect())
	if len(changes) == 0 {
		fmt.Fprintf(w, "same outcomes as %s\n", path)
		return nil
	}
	fmt.Fprintf(w, "%d differences from %s:\n", len(changes), path)
	for _, c := range changes {
		fmt.Fprintf(w, "  %s\n", c)
	}
	return nil
}
