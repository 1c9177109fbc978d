// Command wscat talks to a WebSocket server, or serves WebSocket clients,
// from a terminal or a script.
//
//	wscat ws://127.0.0.1:8080/echo             # type lines, see the answers
//	wscat -l 127.0.0.1:9000                    # serve; type to every client
//	echo hello | wscat -n 1 wss://example.com  # send a line, print one reply
//
// In a terminal, a line typed is a text message, and commands start with /:
// /ping [text] shows the round-trip time, /binary DATA sends binary data
// (hex, or base64 with -b64), /close [code [reason]] starts the closing
// handshake, /quit closes with 1000. Ctrl-D closes with 1000, Ctrl-C with 1001
// (a second Ctrl-C stops waiting for the closing handshake). Messages are
// shown on stdout with a direction marker ("< "), their control characters
// other than tab and newline escaped ("\x1b"), so that a peer cannot drive
// the terminal; what concerns the connection (its close code and reason
// among them) is shown on stderr, after "* ".
//
// From a pipe, each line of stdin is sent as it is, and stdout holds only
// the messages received, one per line (binary data in hex or base64; a text
// message that holds newlines is written as it is, on several lines), so
// that scripts can read them. When stdin ends, wscat waits up to -wait for
// the server to close, or for the -n messages asked for, then closes with
// 1000. Its exit status is 0 after a normal close (1000 or 1001, whoever
// started it), 1 with a one-line reason on stderr when the connection fails
// (a refused handshake, another close code, a timeout, a protocol error),
// and 2 for a bad command line.
//
// With -l ADDR, wscat is a server: each client gets a number, shown before
// what it sends ("[1] < hello"); typed lines go to every client, or to one
// with "@ID line" (commands too: "@2 /close 4000 bye"); -echo sends every
// message back to its sender. The end of stdin stops a server only in a
// terminal (Ctrl-D).
//
// Standard input is taken as a terminal when it is a character device other
// than the null device; -mode tty or -mode pipe overrides that guess.
// Run wscat -h for every flag.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is wscat with its arguments and files; it returns the exit status.
func run(args []string, stdin, stdout *os.File, stderr io.Writer) int {
	cfg, err := parseArgs(args, isTerminal(stdin), isTerminal(stdout))
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "wscat: %v\n", err)
		return 2
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	out := &printer{
		style:  style{decorate: cfg.decorate, stamps: cfg.stamps, base64: cfg.base64},
		stdout: stdout,
		stderr: stderr,
	}
	in := newInput(stdin, cfg.exec)
	lines := syntax{commands: cfg.interactive, binaryLines: cfg.binaryLines, base64: cfg.base64}
	if cfg.listen != "" {
		lines.targets = true
		return runServer(cfg, out, in, lines, sigs)
	}
	out.quiet = !cfg.interactive
	return runClient(cfg, out, in, lines, sigs)
}
