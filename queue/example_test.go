package queue_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed865a0254/websocket/queue"
)

// A Pop that times out takes nothing: the message that arrives later waits for the next Pop.
func Example() {
	q := queue.New[string](16, 1<<20)

	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	_, err := q.Pop(ctx)
	cancel()
	fmt.Println(errors.Is(err, context.DeadlineExceeded))

	_ = q.Push(context.Background(), "hello", int64(len("hello")))
	q.Close(errors.New("peer closed"))

	for {
		msg, err := q.Pop(context.Background())
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(msg)
	}
	// Output:
	// true
	// hello
	// peer closed
}
