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

// A producer and a consumer: the consumer takes every item in order, then the
// producer's Close tells it there is no more.
func ExampleQueue() {
	q := queue.New[int](4, 0)
	go func() {
		for i := range 10 {
			q.Push(context.Background(), i, 0) // blocks while 4 items wait
		}
		q.Close(nil)
	}()
	sum := 0
	for {
		n, err := q.Pop(context.Background())
		if errors.Is(err, queue.ErrClosed) {
			break
		}
		sum += n
	}
	fmt.Println(sum)
	// Output: 45
}

// A queue bounded by count and by cost: an item that would take the total
// over the budget waits, unless the queue is empty.
func ExampleNew() {
	q := queue.New[string](16, 10) // 16 items, 10 bytes
	ctx := context.Background()
	fmt.Println(q.Push(ctx, "twelve bytes", 12)) // alone, it is admitted

	full, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	fmt.Println(q.Push(full, "x", 1)) // no room until "twelve bytes" is taken
	fmt.Println(q.Len())
	// Output:
	// <nil>
	// context deadline exceeded
	// 1
}

// Push is the backpressure: a producer waits for room, bounded by its context.
func ExampleQueue_Push() {
	q := queue.New[string](1, 0)
	ctx := context.Background()
	q.Push(ctx, "first", 0)

	took := make(chan string)
	go func() {
		time.Sleep(10 * time.Millisecond)
		first, _ := q.Pop(ctx) // makes room
		took <- first
	}()
	err := q.Push(ctx, "second", 0) // waits for the Pop above
	fmt.Println(<-took, err)
	fmt.Println(q.Pop(ctx))
	// Output:
	// first <nil>
	// second <nil>
}

// An item already queued is returned even when the context is done; with
// nothing queued, Pop returns the context's error and takes nothing.
func ExampleQueue_Pop() {
	q := queue.New[string](16, 0)
	done, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := q.Pop(done)
	fmt.Println(err)
	q.Push(context.Background(), "late", 0)
	v, err := q.Pop(done)
	fmt.Println(v, err)
	// Output:
	// context canceled
	// late <nil>
}

func ExampleQueue_TryPop() {
	q := queue.New[string](16, 0)
	q.Push(context.Background(), "a", 0)
	q.Close(errors.New("peer left"))
	for range 2 {
		v, ok, err := q.TryPop()
		fmt.Printf("%q %v %v\n", v, ok, err)
	}
	// Output:
	// "a" true <nil>
	// "" false peer left
}

// Close ends the queue: Push fails at once, and Pop returns what is left,
// then the Close error.
func ExampleQueue_Close() {
	q := queue.New[string](16, 0)
	ctx := context.Background()
	q.Push(ctx, "last words", 0)
	q.Close(nil) // nil means queue.ErrClosed
	fmt.Println(q.Push(ctx, "too late", 0))
	for range 2 {
		v, err := q.Pop(ctx)
		fmt.Printf("%q %v\n", v, err)
	}
	// Output:
	// queue: closed
	// "last words" <nil>
	// "" queue: closed
}

// Closed lets a goroutine wait for the queue's end together with other things.
func ExampleQueue_Closed() {
	q := queue.New[int](16, 0)
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	go q.Close(errors.New("shutting down"))
	select {
	case <-q.Closed():
		fmt.Println(q.Err())
	case <-tick.C:
		fmt.Println("tick")
	}
	// Output: shutting down
}

// Close then Discard ends a queue at once, for a local close: the items are
// dropped and a Push blocked on the full queue returns.
func ExampleQueue_Discard() {
	q := queue.New[string](1, 0)
	ctx := context.Background()
	q.Push(ctx, "unread", 0)
	pushed := make(chan error)
	go func() { pushed <- q.Push(ctx, "blocked", 0) }()

	q.Close(errors.New("closed by us"))
	q.Discard()
	fmt.Println(<-pushed)
	fmt.Println(q.Len())
	_, err := q.Pop(ctx)
	fmt.Println(err)
	// Output:
	// closed by us
	// 0
	// closed by us
}

func ExampleQueue_Err() {
	q := queue.New[int](16, 0)
	fmt.Println(q.Err())
	q.Close(nil)
	fmt.Println(q.Err())
	// Output:
	// <nil>
	// queue: closed
}

func ExampleQueue_Len() {
	q := queue.New[string](16, 0)
	q.Push(context.Background(), "a", 0)
	q.Push(context.Background(), "b", 0)
	q.TryPop()
	fmt.Println(q.Len())
	// Output: 1
}

// Shrink frees what an idle queue keeps; the queue works as before.
func ExampleQueue_Shrink() {
	q := queue.New[string](16, 0)
	ctx := context.Background()
	q.Push(ctx, "burst", 0)
	q.Pop(ctx)
	q.Shrink() // the connection has gone quiet
	q.Push(ctx, "later", 0)
	fmt.Println(q.Pop(ctx))
	// Output: later <nil>
}
