package autobahn

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/conn"
)

// fakeFuzzingServer plays the testsuite's fuzzingserver protocol: it
// announces a case count, sends each case a text and a binary message that
// must come back echoed, and records the report request.
type fakeFuzzingServer struct {
	cases int

	mu      sync.Mutex
	log     []string
	echoErr []string
}

func (f *fakeFuzzingServer) record(s string) {
	f.mu.Lock()
	f.log = append(f.log, s)
	f.mu.Unlock()
}

func (f *fakeFuzzingServer) fail(format string, args ...any) {
	f.mu.Lock()
	f.echoErr = append(f.echoErr, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}

func (f *fakeFuzzingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, err := conn.Accept(w, r, nil)
	if err != nil {
		f.fail("accept %s: %v", r.URL, err)
		return
	}
	defer ws.CloseNow()
	ctx := r.Context()
	q := r.URL.Query()
	switch r.URL.Path {
	case "/getCaseCount":
		f.record("count")
		ws.SendText(ctx, strconv.Itoa(f.cases))
	case "/runCase":
		f.record("case " + q.Get("case") + " " + q.Get("agent"))
		want := []conn.Message{
			{Type: conn.Text, Data: []byte("case " + q.Get("case"))},
			{Type: conn.Binary, Data: []byte{0xFF, 0, byte(len(q.Get("case")))}},
		}
		for _, m := range want {
			if err := ws.Send(ctx, m.Type, m.Data); err != nil {
				f.fail("case %s: send: %v", q.Get("case"), err)
				return
			}
		}
		for _, m := range want {
			got, err := ws.Receive(ctx)
			if err != nil {
				f.fail("case %s: receive: %v", q.Get("case"), err)
				return
			}
			if got.Type != m.Type || !bytes.Equal(got.Data, m.Data) {
				f.fail("case %s: echo %v %q, want %v %q", q.Get("case"), got.Type, got.Data, m.Type, m.Data)
			}
		}
	case "/updateReports":
		f.record("report " + q.Get("agent"))
	default:
		f.fail("unexpected path %s", r.URL.Path)
	}
	ws.Close(conn.StatusNormalClosure, "")
}

func TestTestee(t *testing.T) {
	fake := &fakeFuzzingServer{cases: 3}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var progress strings.Builder
	testee := &Testee{URL: wsURL(srv) + "/", Agent: "our client", Log: &progress}
	if err := testee.Run(ctx); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	want := []string{"count", "case 1 our client", "case 2 our client", "case 3 our client", "report our client"}
	if strings.Join(fake.log, "|") != strings.Join(want, "|") {
		t.Errorf("server saw %q, want %q", fake.log, want)
	}
	for _, e := range fake.echoErr {
		t.Error(e)
	}
	if got := progress.String(); got != "case 1/3\ncase 2/3\ncase 3/3\n" {
		t.Errorf("progress = %q", got)
	}
}

func TestTesteeUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := wsURL(srv)
	srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := (&Testee{URL: url, Agent: "a"}).Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "case count") {
		t.Errorf("Run against a closed port = %v, want a case-count error", err)
	}
}

func TestTesteeBadCount(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, nil)
		if err != nil {
			return
		}
		ws.SendText(r.Context(), "many")
		ws.Close(conn.StatusNormalClosure, "")
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := (&Testee{URL: wsURL(srv), Agent: "a"}).CaseCount(ctx)
	if err == nil || !strings.Contains(err.Error(), `"many"`) {
		t.Errorf("CaseCount = %v, want a bad-answer error", err)
	}
}
