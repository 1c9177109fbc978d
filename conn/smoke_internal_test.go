package conn

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/seed865a0254/websocket/frame"
)

func TestSmokePipe(t *testing.T) {
	a, b := net.Pipe()
	s := New(a, nil, frame.Server, nil)
	cl := New(b, nil, frame.Client, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := cl.SendText(ctx, "hello"); err != nil {
		t.Fatal(err)
	}
	m, err := s.Receive(ctx)
	if err != nil || m.Text() != "hello" {
		t.Fatal(m, err)
	}
	big := make([]byte, 100000)
	go s.Send(ctx, Binary, big)
	m, err = cl.Receive(ctx)
	if err != nil || len(m.Data) != len(big) {
		t.Fatal(len(m.Data), err)
	}
	if err := cl.Close(StatusNormalClosure, "bye"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Receive(ctx)
	t.Log(err)
	<-s.Done()
}
