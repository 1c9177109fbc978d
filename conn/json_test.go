package conn_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
)

type order struct {
	ID    int               `json:"id"`
	Items []string          `json:"items"`
	Notes map[string]string `json:"notes,omitempty"`
	Rush  bool              `json:"rush"`
}

func TestJSONRoundTrip(t *testing.T) {
	forPairs(t, nil, nil, func(t *testing.T, a, b *conn.Conn) {
		ctx := testCtx(t, soon)
		want := []order{
			{ID: 1, Items: []string{"tea", "ça va"}, Rush: true},
			{ID: 2, Items: []string{strings.Repeat("long ", 10000)}, Notes: map[string]string{"k": "v"}},
		}
		for _, o := range want {
			if err := a.SendJSON(ctx, o); err != nil {
				t.Fatalf("SendJSON: %v", err)
			}
		}
		var got []order
		for range want {
			var o order
			if err := b.ReceiveJSON(ctx, &o); err != nil {
				t.Fatalf("ReceiveJSON: %v", err)
			}
			got = append(got, o)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("received (-want +got):\n%s", diff)
		}
	}, tcpPairs, httpPairs)
}

// A ReceiveJSON that times out loses nothing; one whose message does not
// decode consumes it and leaves the connection usable.
func TestReceiveJSONKeepsTheConnection(t *testing.T) {
	a, b := httpPair(t, frame.Server, nil, nil)
	ctx := testCtx(t, soon)
	var o order
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if err := b.ReceiveJSON(short, &o); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReceiveJSON with nothing sent: %v, want DeadlineExceeded", err)
	}
	a.SendText(ctx, `{"id": 1, "items": [`)       // not JSON
	a.SendText(ctx, `{"id": "one"}`)              // JSON that does not fit
	a.SendBinary(ctx, []byte(`{"id": 2}`))        // binary
	a.SendText(ctx, `{"id": 3, "items": ["ok"]}`) // fine
	var syntax *json.SyntaxError
	if err := b.ReceiveJSON(ctx, &o); !errors.As(err, &syntax) {
		t.Errorf("ReceiveJSON of broken JSON: %v, want a *json.SyntaxError", err)
	}
	var typ *json.UnmarshalTypeError
	if err := b.ReceiveJSON(ctx, &o); !errors.As(err, &typ) {
		t.Errorf("ReceiveJSON of a string for an int: %v, want a *json.UnmarshalTypeError", err)
	}
	if err := b.ReceiveJSON(ctx, &o); err == nil || errors.Is(err, conn.ErrClosed) {
		t.Errorf("ReceiveJSON of a binary message: %v, want an error that leaves the connection", err)
	}
	o = order{}
	if err := b.ReceiveJSON(ctx, &o); err != nil || o.ID != 3 {
		t.Errorf("ReceiveJSON after the failures: %+v, %v", o, err)
	}
	for _, v := range []any{nil, o, (*order)(nil)} {
		if err := b.ReceiveJSON(ctx, v); err == nil || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("ReceiveJSON(%T): %v, want a refusal", v, err)
		}
	}
	if err := a.SendJSON(ctx, make(chan int)); err == nil {
		t.Error("SendJSON of a channel succeeded")
	}
	a.SendJSON(ctx, order{ID: 4})
	if err := b.ReceiveJSON(ctx, &o); err != nil || o.ID != 4 {
		t.Errorf("the next message after the refusals: %+v, %v; want id 4 (nothing consumed or sent)", o, err)
	}
}

// ReadLimit bounds what ReceiveJSON takes, as it bounds Receive.
func TestReceiveJSONReadLimit(t *testing.T) {
	a, b := httpPair(t, frame.Server, nil, &conn.Options{ReadLimit: 1024})
	ctx := testCtx(t, soon)
	if err := a.SendJSON(ctx, order{Items: []string{strings.Repeat("x", 2000)}}); err != nil {
		t.Fatal(err)
	}
	var o order
	if err := b.ReceiveJSON(ctx, &o); !errors.Is(err, frame.ErrMessageTooBig) || !errors.Is(err, conn.ErrClosed) {
		t.Errorf("ReceiveJSON over the limit: %v, want ErrMessageTooBig and ErrClosed", err)
	}
	if code, ok := conn.CloseStatus(receiveErr(t, a)); code != conn.StatusMessageTooBig || !ok {
		t.Errorf("the sender got %v, %v; want close 1009", code, ok)
	}
}
