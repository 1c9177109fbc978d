package queue

import (
	"context"
	"fmt"
	"testing"
)

var benchSizes = []int{1, 16, 1024}

// BenchmarkPushPop pushes and pops in one goroutine; BenchmarkChanSendRecv is its yardstick.
func BenchmarkPushPop(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			q := New[int](size, 1<<30)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := q.Push(ctx, 1, 100); err != nil {
					b.Fatal(err)
				}
				if _, err := q.Pop(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkChanSendRecv(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			ch := make(chan int, size)
			b.ReportAllocs()
			for b.Loop() {
				ch <- 1
				<-ch
			}
		})
	}
}

// BenchmarkProducerConsumer has one goroutine Push while the benchmark loop Pops, with a
// queue of the given capacity; BenchmarkChanProducerConsumer is its yardstick.
func BenchmarkProducerConsumer(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			q := New[int](size, 1<<30)
			ctx := context.Background()
			done := make(chan struct{})
			go func() {
				defer close(done)
				for q.Push(ctx, 1, 100) == nil {
				}
			}()
			// Let the ring grow to its working size before measuring.
			for range 2 * size {
				if _, err := q.Pop(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := q.Pop(ctx); err != nil {
					b.Fatal(err)
				}
			}
			q.Close(nil)
			<-done
		})
	}
}

func BenchmarkChanProducerConsumer(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			ch := make(chan int, size)
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				for {
					select {
					case ch <- 1:
					case <-stop:
						return
					}
				}
			}()
			b.ReportAllocs()
			for b.Loop() {
				<-ch
			}
			close(stop)
			<-done
		})
	}
}
