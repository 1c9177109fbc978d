package autobahn

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/seed865a0254/websocket/conn"
)

// Testee is the client under test in the testsuite's fuzzingserver mode. It
// asks the fuzzing server for the number of cases, connects once per case
// and echoes every message back with the same type, then asks the server to
// write its reports.
type Testee struct {
	// URL is the fuzzing server, e.g. "ws://127.0.0.1:9001".
	URL string
	// Agent names the client in the reports.
	Agent string
	// ReadLimit bounds one message; 0 means DefaultReadLimit.
	ReadLimit int64
	// Compression, if not nil, offers permessage-deflate with this policy.
	Compression *conn.Compression
	// Log, when set, receives one line per case.
	Log io.Writer
}

// Run runs every case, then asks for the reports. A case whose connection
// fails is not an error of Run (the testsuite judges it); failing to reach
// the server is.
func (t *Testee) Run(ctx context.Context) error {
	n, err := t.CaseCount(ctx)
	if err != nil {
		return err
	}
	for i := 1; i <= n; i++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("autobahn: testee stopped before case %d of %d: %w", i, n, err)
		}
		if t.Log != nil {
			fmt.Fprintf(t.Log, "case %d/%d\n", i, n)
		}
		if err := t.RunCase(ctx, i); err != nil {
			return err
		}
	}
	return t.UpdateReports(ctx)
}

// CaseCount asks the fuzzing server how many cases it will run.
func (t *Testee) CaseCount(ctx context.Context) (int, error) {
	ws, _, err := conn.Dial(ctx, t.endpoint("getCaseCount", nil), nil)
	if err != nil {
		return 0, fmt.Errorf("autobahn: get case count: %w", err)
	}
	defer ws.CloseNow()
	msg, err := ws.Receive(ctx)
	if err != nil {
		return 0, fmt.Errorf("autobahn: get case count: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(msg.Text()))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("autobahn: get case count: bad answer %q", msg.Text())
	}
	waitClose(ctx, ws)
	return n, nil
}

// RunCase runs case number i (counted from 1, in the server's order): it
// echoes every message until the connection ends. Only failing to connect
// is an error; how the connection ends is for the testsuite to judge.
func (t *Testee) RunCase(ctx context.Context, i int) error {
	limit := t.ReadLimit
	if limit == 0 {
		limit = DefaultReadLimit
	}
	q := url.Values{"case": {strconv.Itoa(i)}, "agent": {t.Agent}}
	ws, _, err := conn.Dial(ctx, t.endpoint("runCase", q), &conn.DialOptions{ReadLimit: limit, Compression: t.Compression})
	if err != nil {
		return fmt.Errorf("autobahn: case %d: %w", i, err)
	}
	echo(ctx, ws)
	return nil
}

// UpdateReports asks the fuzzing server to write its reports for the agent,
// and waits until it has (the server closes the connection when done).
func (t *Testee) UpdateReports(ctx context.Context) error {
	ws, _, err := conn.Dial(ctx, t.endpoint("updateReports", url.Values{"agent": {t.Agent}}), nil)
	if err != nil {
		return fmt.Errorf("autobahn: update reports: %w", err)
	}
	waitClose(ctx, ws)
	return nil
}

// endpoint returns the URL of one of the fuzzing server's paths.
func (t *Testee) endpoint(path string, q url.Values) string {
	u := strings.TrimSuffix(t.URL, "/") + "/" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// waitClose reads until the peer ends the connection (the fuzzing server
// sends a close frame when it is done), then makes sure it is closed on our
// side too.
func waitClose(ctx context.Context, ws *conn.Conn) {
	for {
		if _, err := ws.Receive(ctx); err != nil {
			ws.Close(conn.StatusNormalClosure, "")
			return
		}
	}
}
