package queue

import (
	"context"
	"testing"
)

// TestRingGrowth checks the ring's size after each step: none before the first Push, one slot
// while items come one at a time, then initialCap, then doubling, never past maxItems.
func TestRingGrowth(t *testing.T) {
	tests := []struct {
		name     string
		maxItems int
		queued   int // items pushed without a Pop
		want     int // len(ring) afterwards
	}{
		{name: "untouched", maxItems: 100, queued: 0, want: 0},
		{name: "one item", maxItems: 100, queued: 1, want: 1},
		{name: "two items", maxItems: 100, queued: 2, want: initialCap},
		{name: "full initial", maxItems: 100, queued: initialCap, want: initialCap},
		{name: "doubles", maxItems: 100, queued: initialCap + 1, want: 2 * initialCap},
		{name: "capped", maxItems: 100, queued: 100, want: 100},
		{name: "small max", maxItems: 3, queued: 3, want: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := New[int](tt.maxItems, 0)
			ctx := context.Background()
			for i := range tt.queued {
				if err := q.Push(ctx, i, 1); err != nil {
					t.Fatalf("Push(%d) = %v", i, err)
				}
			}
			if got := len(q.ring); got != tt.want {
				t.Fatalf("len(ring) = %d after %d pushes, want %d", got, tt.queued, tt.want)
			}
			for i := range tt.queued {
				if v, err := q.Pop(ctx); err != nil || v != i {
					t.Fatalf("Pop() = %d, %v; want %d", v, err, i)
				}
			}
		})
	}
}

// TestOneAtATimeKeepsOneSlot pushes and pops alternately: the ring stays at one slot and,
// once allocated, the pairs do not allocate.
func TestOneAtATimeKeepsOneSlot(t *testing.T) {
	q := New[int](64, 0)
	ctx := context.Background()
	for i := range 100 {
		if err := q.Push(ctx, i, 1); err != nil {
			t.Fatal(err)
		}
		if v, err := q.Pop(ctx); err != nil || v != i {
			t.Fatalf("Pop() = %d, %v; want %d", v, err, i)
		}
	}
	if got := len(q.ring); got != 1 {
		t.Fatalf("len(ring) = %d, want 1", got)
	}
	allocs := testing.AllocsPerRun(100, func() {
		_ = q.Push(ctx, 1, 1)
		_, _ = q.Pop(ctx)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per Push/Pop pair, want 0", allocs)
	}
}

// TestGrowFromOneSlotKeepsOrder grows the ring from one slot while items are queued and
// after the head has moved, and checks the order.
func TestGrowFromOneSlotKeepsOrder(t *testing.T) {
	q := New[int](1000, 0)
	ctx := context.Background()
	next, want := 0, 0
	for round := range 6 {
		for range round*7 + 1 {
			if err := q.Push(ctx, next, 1); err != nil {
				t.Fatal(err)
			}
			next++
		}
		for range round*5 + 1 {
			v, err := q.Pop(ctx)
			if err != nil || v != want {
				t.Fatalf("Pop() = %d, %v; want %d", v, err, want)
			}
			want++
		}
	}
	for want < next {
		v, err := q.Pop(ctx)
		if err != nil || v != want {
			t.Fatalf("Pop() = %d, %v; want %d", v, err, want)
		}
		want++
	}
}

// TestShrink: Shrink drops the waiters kept for reuse and an empty queue's ring, keeps a
// non-empty queue's items in order, and the queue works as before afterwards.
func TestShrink(t *testing.T) {
	q := New[int](8, 0)
	ctx := context.Background()
	// A Pop that waits leaves a waiter for reuse.
	done := make(chan int)
	go func() {
		v, _ := q.Pop(ctx)
		done <- v
	}()
	for {
		q.mu.Lock()
		waiting := q.pops.first != nil
		q.mu.Unlock()
		if waiting {
			break
		}
	}
	if err := q.Push(ctx, 7, 1); err != nil {
		t.Fatal(err)
	}
	if v := <-done; v != 7 {
		t.Fatalf("Pop = %d, want 7", v)
	}
	if q.free == nil || q.ring == nil {
		t.Fatal("expected a kept waiter and a ring before Shrink")
	}
	q.Shrink()
	if q.free != nil || q.ring != nil {
		t.Fatalf("after Shrink of an empty queue: free %v, ring %d slots; want neither", q.free, len(q.ring))
	}

	// A queue with items keeps them, in order.
	for i := range 3 {
		q.Push(ctx, i, 1)
	}
	q.Shrink()
	for i := range 3 {
		if v, err := q.Pop(ctx); err != nil || v != i {
			t.Fatalf("Pop = %d, %v; want %d", v, err, i)
		}
	}
	// And it still blocks and wakes.
	go func() {
		v, _ := q.Pop(ctx)
		done <- v
	}()
	q.Push(ctx, 9, 1)
	if v := <-done; v != 9 {
		t.Fatalf("Pop = %d, want 9", v)
	}
}
