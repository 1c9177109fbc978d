package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

// isTerminal reports whether f looks like a terminal. The standard library
// has no isatty: a character device is taken as one, except the null device
// (a background job's stdin), which is one too. -mode overrides the guess.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}

// printer writes what wscat shows: messages on stdout, everything else on
// stderr, one whole line at a time from any goroutine.
type printer struct {
	style
	quiet bool // no status lines (a client in a pipe)

	mu     sync.Mutex
	stdout io.Writer
	stderr io.Writer
}

// message shows a message received from client id (0: from the server).
func (p *printer) message(id int, msg conn.Message) {
	p.line(p.stdout, p.messageLine(time.Now(), id, msg))
}

// status shows a line about client id's connection (0: the connection, or
// the server), unless quiet.
func (p *printer) status(id int, format string, args ...any) {
	if !p.quiet {
		p.line(p.stderr, p.statusLine(time.Now(), id, fmt.Sprintf(format, args...)))
	}
}

// statusLines shows each line of text as a status line.
func (p *printer) statusLines(id int, text string) {
	for line := range strings.SplitSeq(text, "\n") {
		p.status(id, "%s", line)
	}
}

// fail shows an error, always.
func (p *printer) fail(format string, args ...any) {
	p.line(p.stderr, "wscat: "+fmt.Sprintf(format, args...))
}

func (p *printer) line(w io.Writer, s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(w, s+"\n")
}

// input is where lines to send come from.
type input struct {
	lines  <-chan string
	number int // of the last line taken, for error messages
}

// newInput reads lines from r, or takes the -x messages instead when there
// are any.
func newInput(r io.Reader, exec []string) *input {
	lines := make(chan string)
	if len(exec) > 0 {
		go func() {
			for _, s := range exec {
				lines <- s
			}
			close(lines)
		}()
	} else {
		go readLines(r, lines)
	}
	return &input{lines: lines}
}

// readLines sends each line of r without its line ending, and closes lines
// at the end of r or at a read error. A read of stdin cannot be cancelled:
// the goroutine ends with r, or with the process.
func readLines(r io.Reader, lines chan<- string) {
	defer close(lines)
	br := bufio.NewReader(r)
	for {
		s, err := br.ReadString('\n')
		if s != "" {
			lines <- strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
		}
		if err != nil {
			return
		}
	}
}
