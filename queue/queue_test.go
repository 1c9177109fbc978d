package queue

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

var errTest = errors.New("test: closed on purpose")

func TestFIFO(t *testing.T) {
	tests := []struct {
		name     string
		maxItems int
		count    int
	}{
		{name: "one slot", maxItems: 1, count: 1},
		{name: "small", maxItems: 3, count: 3},
		{name: "exactly initial", maxItems: initialCap, count: initialCap},
		{name: "grows past initial", maxItems: 100, count: 100},
		{name: "grows, partly filled", maxItems: 1000, count: 37},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := New[int](tt.maxItems, 0)
			ctx := context.Background()
			for i := range tt.count {
				if err := q.Push(ctx, i, 1); err != nil {
					t.Fatalf("Push(%d) = %v", i, err)
				}
			}
			if got := q.Len(); got != tt.count {
				t.Fatalf("Len() = %d, want %d", got, tt.count)
			}
			for i := range tt.count {
				v, err := q.Pop(ctx)
				if err != nil || v != i {
					t.Fatalf("Pop() = %d, %v; want %d, nil", v, err, i)
				}
			}
			if _, ok, err := q.TryPop(); ok || err != nil {
				t.Fatalf("TryPop() on empty queue: ok=%v err=%v", ok, err)
			}
		})
	}
}

// TestRingWrapAndGrow makes the ring wrap around and then grow while wrapped: the copy in add
// must keep the order.
func TestRingWrapAndGrow(t *testing.T) {
	q := New[int](4*initialCap, 0)
	ctx := context.Background()
	next, want := 0, 0
	push := func(k int) {
		for range k {
			if err := q.Push(ctx, next, 0); err != nil {
				t.Fatal(err)
			}
			next++
		}
	}
	pop := func(k int) {
		for range k {
			v, err := q.Pop(ctx)
			if err != nil || v != want {
				t.Fatalf("Pop() = %d, %v; want %d", v, err, want)
			}
			want++
		}
	}
	push(initialCap - 3)
	pop(initialCap - 5) // head near the end of the ring
	push(initialCap)    // wraps, then grows while wrapped
	pop(5)
	push(3 * initialCap) // grows again, up to maxItems
	pop(next - want)
	if q.Len() != 0 {
		t.Fatalf("Len() = %d after draining", q.Len())
	}
}

func TestManyProducersConsumers(t *testing.T) {
	const producers, consumers, perProducer = 8, 8, 2000
	q := New[[2]int](7, 0) // small, so Push blocks often
	ctx := context.Background()

	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := range perProducer {
				if err := q.Push(ctx, [2]int{p, i}, 1); err != nil {
					t.Errorf("Push = %v", err)
					return
				}
			}
		})
	}
	got := make([][][2]int, consumers)
	var cwg sync.WaitGroup
	for c := range consumers {
		cwg.Go(func() {
			for {
				v, err := q.Pop(ctx)
				if err != nil {
					if !errors.Is(err, ErrClosed) {
						t.Errorf("Pop = %v", err)
					}
					return
				}
				got[c] = append(got[c], v)
			}
		})
	}
	wg.Wait()
	q.Close(nil)
	cwg.Wait()

	seen := make([][]bool, producers)
	for p := range seen {
		seen[p] = make([]bool, perProducer)
	}
	for c, items := range got {
		last := make([]int, producers)
		for p := range last {
			last[p] = -1
		}
		for _, v := range items {
			p, i := v[0], v[1]
			if seen[p][i] {
				t.Fatalf("item %v delivered twice", v)
			}
			seen[p][i] = true
			// FIFO: one consumer sees each producer's items in the order they were pushed.
			if i <= last[p] {
				t.Fatalf("consumer %d got %v after item %d of the same producer", c, v, last[p])
			}
			last[p] = i
		}
	}
	for p := range seen {
		for i, ok := range seen[p] {
			if !ok {
				t.Fatalf("item {%d %d} lost", p, i)
			}
		}
	}
}

// TestPopTimeoutsNeverLoseItems is a property test: over many random schedules, consumers
// pop with tiny random timeouts while producers push. Every pushed item is popped exactly
// once, and a single consumer sees each producer's items in order.
func TestPopTimeoutsNeverLoseItems(t *testing.T) {
	rounds := 60
	if testing.Short() {
		rounds = 10
	}
	for round := range rounds {
		seed := uint64(round)
		consumers := 1 + round%3
		t.Run(fmt.Sprintf("seed=%d/consumers=%d", seed, consumers), func(t *testing.T) {
			checkTimeoutSchedule(t, seed, 3, consumers, 150)
		})
	}
}

func checkTimeoutSchedule(t *testing.T, seed uint64, producers, consumers, perProducer int) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	q := New[[2]int](1+rng.IntN(4), 0)
	total := producers * perProducer

	var pwg sync.WaitGroup
	for p := range producers {
		prng := rand.New(rand.NewPCG(seed, uint64(p)+1))
		pwg.Go(func() {
			for i := range perProducer {
				if prng.IntN(4) == 0 {
					time.Sleep(time.Duration(prng.IntN(30)) * time.Microsecond)
				}
				if err := q.Push(context.Background(), [2]int{p, i}, 1); err != nil {
					t.Errorf("Push = %v", err)
					return
				}
			}
		})
	}

	var mu sync.Mutex
	popped := 0
	got := make([][][2]int, consumers)
	var timeouts int
	var cwg sync.WaitGroup
	for c := range consumers {
		crng := rand.New(rand.NewPCG(seed, uint64(1000+c)))
		cwg.Go(func() {
			for {
				mu.Lock()
				done := popped == total
				mu.Unlock()
				if done {
					return
				}
				d := time.Duration(crng.IntN(20)) * time.Microsecond
				ctx, cancel := context.WithTimeout(context.Background(), d)
				v, err := q.Pop(ctx)
				cancel()
				mu.Lock()
				switch {
				case err == nil:
					got[c] = append(got[c], v)
					popped++
				case errors.Is(err, context.DeadlineExceeded):
					timeouts++
				default:
					t.Errorf("Pop = %v", err)
					popped = total
				}
				mu.Unlock()
			}
		})
	}
	pwg.Wait()
	cwg.Wait()

	if q.Len() != 0 {
		t.Fatalf("%d items left in the queue", q.Len())
	}
	seen := make(map[[2]int]bool, total)
	for c := range got {
		last := make([]int, producers)
		for p := range last {
			last[p] = -1
		}
		for _, v := range got[c] {
			if seen[v] {
				t.Fatalf("item %v popped twice", v)
			}
			seen[v] = true
			if v[1] <= last[v[0]] {
				t.Fatalf("consumer %d: item %v after %d of the same producer", c, v, last[v[0]])
			}
			last[v[0]] = v[1]
		}
	}
	if len(seen) != total {
		t.Fatalf("popped %d distinct items, pushed %d", len(seen), total)
	}
	t.Logf("%d timeouts", timeouts)
}

// TestPopTimeoutHasNoSideEffect checks, in fake time, that a Pop that gave up leaves a later
// item for the next Pop.
func TestPopTimeoutHasNoSideEffect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := New[string](4, 0)
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := q.Pop(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Pop = %v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Fatalf("Pop gave up after %v, want 1s", d)
		}
		if err := q.Push(context.Background(), "late", 4); err != nil {
			t.Fatal(err)
		}
		v, err := q.Pop(context.Background())
		if err != nil || v != "late" {
			t.Fatalf("Pop = %q, %v; want late, nil", v, err)
		}
	})
}

// TestBlockedPopReceives: a Push that lands while a Pop waits is delivered to it.
func TestBlockedPopReceives(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := New[int](4, 0)
		res := make(chan int, 1)
		go func() {
			v, err := q.Pop(context.Background())
			if err != nil {
				t.Errorf("Pop = %v", err)
			}
			res <- v
		}()
		synctest.Wait() // Pop is blocked
		time.Sleep(time.Minute)
		if err := q.Push(context.Background(), 42, 0); err != nil {
			t.Fatal(err)
		}
		if v := <-res; v != 42 {
			t.Fatalf("Pop = %d, want 42", v)
		}
	})
}

func TestBounds(t *testing.T) {
	tests := []struct {
		name     string
		maxItems int
		maxCost  int64
		queued   []int64 // costs pushed first; all must fit
		next     int64   // cost of the Push that must block
		pops     int     // Pops that must let it in
	}{
		{name: "full by count", maxItems: 2, queued: []int64{1, 1}, next: 1, pops: 1},
		{name: "full by cost", maxItems: 10, maxCost: 100, queued: []int64{60, 30}, next: 20, pops: 1},
		{name: "cost exactly at budget fits", maxItems: 10, maxCost: 100, queued: []int64{60, 40}, next: 1, pops: 1},
		{name: "needs two pops", maxItems: 10, maxCost: 100, queued: []int64{50, 50}, next: 100, pops: 2},
		{name: "oversized waits for empty", maxItems: 10, maxCost: 100, queued: []int64{1, 1, 1}, next: 500, pops: 3},
		{name: "oversized blocks the next", maxItems: 10, maxCost: 100, queued: []int64{500}, next: 1, pops: 1},
		{name: "huge costs do not overflow", maxItems: 10, maxCost: 1 << 62, queued: []int64{1 << 62}, next: 1<<63 - 1, pops: 1},
		{name: "zero cost bound is count only", maxItems: 2, maxCost: 0, queued: []int64{1 << 40, 1 << 40}, next: 1, pops: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				q := New[int64](tt.maxItems, tt.maxCost)
				ctx := context.Background()
				for _, c := range tt.queued {
					if err := q.Push(ctx, c, c); err != nil {
						t.Fatal(err)
					}
				}
				done := make(chan error, 1)
				go func() { done <- q.Push(ctx, tt.next, tt.next) }()
				for i := range tt.pops {
					synctest.Wait()
					select {
					case err := <-done:
						t.Fatalf("Push(cost %d) returned %v after %d pops, want it blocked until %d", tt.next, err, i, tt.pops)
					default:
					}
					if _, err := q.Pop(ctx); err != nil {
						t.Fatal(err)
					}
				}
				synctest.Wait()
				select {
				case err := <-done:
					if err != nil {
						t.Fatalf("Push = %v", err)
					}
				default:
					t.Fatalf("Push still blocked after %d pops", tt.pops)
				}
				if want := len(tt.queued) - tt.pops + 1; q.Len() != want {
					t.Fatalf("Len() = %d, want %d", q.Len(), want)
				}
			})
		})
	}
}

func TestOversizedItemIntoEmptyQueue(t *testing.T) {
	q := New[string](4, 10)
	if err := q.Push(context.Background(), "big", 1000); err != nil {
		t.Fatalf("Push of an oversized item into an empty queue = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := q.Push(ctx, "small", 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("Push behind an oversized item = %v, want Canceled", err)
	}
	if q.Len() != 1 {
		t.Fatalf("Len() = %d, want 1", q.Len())
	}
}

func TestPushTimeoutAddsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := New[int](1, 0)
		if err := q.Push(context.Background(), 1, 0); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		start := time.Now()
		if err := q.Push(ctx, 2, 0); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Push = %v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Fatalf("Push gave up after %v, want 3s", d)
		}
		if v, _ := q.Pop(context.Background()); v != 1 || q.Len() != 0 {
			t.Fatalf("after a timed-out Push: Pop = %d, Len = %d; want 1, 0", v, q.Len())
		}
	})
}

func TestReadyCallsIgnoreDoneContext(t *testing.T) {
	q := New[int](2, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := q.Push(ctx, 7, 0); err != nil {
		t.Fatalf("Push with room and a done ctx = %v, want nil", err)
	}
	if v, err := q.Pop(ctx); err != nil || v != 7 {
		t.Fatalf("Pop with an item and a done ctx = %d, %v; want 7, nil", v, err)
	}
	if _, err := q.Pop(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Pop on empty with a done ctx = %v, want Canceled", err)
	}
}

func TestClose(t *testing.T) {
	tests := []struct {
		name    string
		errs    []error // Close calls, in order
		wantErr error
	}{
		{name: "nil means ErrClosed", errs: []error{nil}, wantErr: ErrClosed},
		{name: "error kept", errs: []error{errTest}, wantErr: errTest},
		{name: "first error wins", errs: []error{errTest, ErrClosed, nil}, wantErr: errTest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := New[int](4, 0)
			ctx := context.Background()
			for i := range 3 {
				if err := q.Push(ctx, i, 0); err != nil {
					t.Fatal(err)
				}
			}
			for _, err := range tt.errs {
				q.Close(err)
			}
			if err := q.Push(ctx, 9, 0); err != tt.wantErr {
				t.Fatalf("Push after Close = %v, want %v", err, tt.wantErr)
			}
			for i := range 3 {
				if v, err := q.Pop(ctx); err != nil || v != i {
					t.Fatalf("Pop after Close = %d, %v; want %d, nil (drain)", v, err, i)
				}
			}
			if _, err := q.Pop(ctx); err != tt.wantErr {
				t.Fatalf("Pop after drain = %v, want %v", err, tt.wantErr)
			}
			if _, ok, err := q.TryPop(); ok || err != tt.wantErr {
				t.Fatalf("TryPop after drain = %v, %v; want false, %v", ok, err, tt.wantErr)
			}
		})
	}
}

func TestCloseWakesBlocked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		empty := New[int](1, 0)
		full := New[int](1, 0)
		if err := full.Push(context.Background(), 0, 0); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 6)
		for range 3 {
			go func() {
				_, err := empty.Pop(context.Background())
				errs <- err
			}()
			go func() { errs <- full.Push(context.Background(), 1, 0) }()
		}
		synctest.Wait()
		if len(errs) != 0 {
			t.Fatalf("%d calls returned before Close", len(errs))
		}
		empty.Close(errTest)
		full.Close(errTest)
		for range 6 {
			if err := <-errs; err != errTest {
				t.Fatalf("blocked call returned %v, want %v", err, errTest)
			}
		}
		if full.Len() != 1 {
			t.Fatalf("Len() = %d, want 1: Close keeps items for draining", full.Len())
		}
	})
}

func TestDiscard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := New[int](2, 10)
		ctx := context.Background()
		for i := range 2 {
			if err := q.Push(ctx, i, 5); err != nil {
				t.Fatal(err)
			}
		}
		pushed := make(chan error, 1)
		go func() { pushed <- q.Push(ctx, 99, 10) }()
		synctest.Wait()
		if len(pushed) != 0 {
			t.Fatal("Push did not block on a full queue")
		}
		q.Discard()
		if err := <-pushed; err != nil {
			t.Fatalf("Push after Discard = %v", err)
		}
		// The whole cost budget is free again: 99 alone, with cost 10, is queued.
		if v, ok, err := q.TryPop(); !ok || err != nil || v != 99 {
			t.Fatalf("TryPop = %d, %v, %v; want 99, true, nil", v, ok, err)
		}
		if err := q.Push(ctx, 1, 10); err != nil {
			t.Fatal(err)
		}
		q.Close(errTest)
		q.Discard()
		if _, err := q.Pop(ctx); err != errTest {
			t.Fatalf("Pop after Close and Discard = %v, want %v", err, errTest)
		}
	})
}

// TestDiscardLeavesPopBlocked: Discard on an empty queue does not wake a Pop with nothing.
func TestDiscardLeavesPopBlocked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := New[int](2, 0)
		got := make(chan int, 1)
		go func() {
			v, err := q.Pop(context.Background())
			if err != nil {
				t.Errorf("Pop = %v", err)
			}
			got <- v
		}()
		synctest.Wait()
		q.Discard()
		synctest.Wait()
		if len(got) != 0 {
			t.Fatal("Pop returned after Discard of an empty queue")
		}
		if err := q.Push(context.Background(), 5, 0); err != nil {
			t.Fatal(err)
		}
		if v := <-got; v != 5 {
			t.Fatalf("Pop = %d, want 5", v)
		}
	})
}

// TestCancelledWaiterDoesNotSwallowWakeup: of two blocked Pops, the first gives up; one Push must
// then reach the second.
func TestCancelledWaiterDoesNotSwallowWakeup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := New[int](4, 0)
		ctx1, cancel1 := context.WithCancel(context.Background())
		first := make(chan error, 1)
		go func() {
			_, err := q.Pop(ctx1)
			first <- err
		}()
		synctest.Wait()
		second := make(chan int, 1)
		go func() {
			v, err := q.Pop(context.Background())
			if err != nil {
				t.Errorf("Pop = %v", err)
			}
			second <- v
		}()
		synctest.Wait()
		cancel1()
		if err := <-first; !errors.Is(err, context.Canceled) {
			t.Fatalf("first Pop = %v, want Canceled", err)
		}
		if err := q.Push(context.Background(), 3, 0); err != nil {
			t.Fatal(err)
		}
		if v := <-second; v != 3 {
			t.Fatalf("second Pop = %d, want 3", v)
		}
	})
}

// TestEveryBlockedPopGetsOne: n Pops blocked on an empty queue, n Pushes: each Pop returns
// one distinct item (none stays asleep while an item waits).
func TestEveryBlockedPopGetsOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := New[int](4, 0)
		const n = 5
		got := make(chan int, n)
		for range n {
			go func() {
				v, err := q.Pop(context.Background())
				if err != nil {
					t.Errorf("Pop = %v", err)
				}
				got <- v
			}()
		}
		synctest.Wait()
		for i := range n {
			if err := q.Push(context.Background(), i, 0); err != nil {
				t.Fatal(err)
			}
		}
		seen := make(map[int]bool)
		for range n {
			seen[<-got] = true
		}
		if len(seen) != n || q.Len() != 0 {
			t.Fatalf("%d distinct items popped, %d left; want %d, 0", len(seen), q.Len(), n)
		}
	})
}

func TestTryPop(t *testing.T) {
	q := New[string](2, 0)
	if v, ok, err := q.TryPop(); ok || err != nil || v != "" {
		t.Fatalf("TryPop on empty = %q, %v, %v", v, ok, err)
	}
	if err := q.Push(context.Background(), "a", 1); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := q.TryPop(); !ok || err != nil || v != "a" {
		t.Fatalf("TryPop = %q, %v, %v; want a, true, nil", v, ok, err)
	}
}

func TestCallerMistakes(t *testing.T) {
	q := New[int](0, -1) // taken as one item, no cost bound
	if err := q.Push(context.Background(), 1, -5); err == nil {
		t.Fatal("Push with a negative cost succeeded")
	}
	if err := q.Push(context.Background(), 1, 1<<50); err != nil {
		t.Fatalf("Push = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := q.Push(ctx, 2, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("second Push into New(0, -1) = %v, want Canceled (one slot)", err)
	}
}

func TestSteadyStateDoesNotAllocate(t *testing.T) {
	q := New[int](64, 1<<20)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(1000, func() {
		for i := range 32 {
			_ = q.Push(ctx, i, 10)
		}
		for range 32 {
			_, _ = q.Pop(ctx)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per 32 Push/Pop pairs, want 0", allocs)
	}
}

// hookCtx is a context whose Done method first runs hook, then reports the context as
// cancelled. Pop calls Done after queueing itself as a waiter and releasing the lock, which
// lets a test make a Push and a cancellation land in the same window, deterministically.
type hookCtx struct {
	context.Context
	once sync.Once
	hook func()
	done chan struct{}
}

func newHookCtx(hook func()) *hookCtx {
	return &hookCtx{Context: context.Background(), hook: hook, done: make(chan struct{})}
}

func (c *hookCtx) Done() <-chan struct{} {
	c.once.Do(func() {
		c.hook()
		close(c.done)
	})
	return c.done
}

func (c *hookCtx) Err() error {
	select {
	case <-c.done:
		return context.Canceled
	default:
		return nil
	}
}

// TestWakeupRacingWithCancel: Pop A waits first, Pop B second; then one item is pushed (waking
// A) and A's context is cancelled before A runs. A must either take the item or leave the
// wake-up to B: never return empty-handed while B sleeps beside a queued item. A's select
// sees both ready and picks at random, so the loop covers both branches.
func TestWakeupRacingWithCancel(t *testing.T) {
	for range 100 {
		synctest.Test(t, func(t *testing.T) {
			q := New[int](4, 0)
			gotB := make(chan int, 1)
			ctx := newHookCtx(func() {
				// Pop A is queued and has released the lock.
				go func() {
					v, err := q.Pop(context.Background())
					if err == nil {
						gotB <- v
					}
				}()
				synctest.Wait() // Pop B is queued behind A
				if err := q.Push(context.Background(), 7, 0); err != nil {
					t.Errorf("Push = %v", err)
				}
			})
			v, err := q.Pop(ctx)
			synctest.Wait()
			switch {
			case err == nil && v == 7:
				q.Close(nil) // release B
			case errors.Is(err, context.Canceled):
				select {
				case <-gotB:
				default:
					n := q.Len()
					q.Close(nil) // release B, so the bubble can end
					t.Fatalf("Pop A = %v while Pop B sleeps beside %d queued item(s)", err, n)
				}
			default:
				t.Fatalf("Pop A = %d, %v", v, err)
			}
		})
	}
}

func TestClosedChannel(t *testing.T) {
	tests := []struct {
		name        string
		closeBefore bool
	}{
		{name: "asked before Close", closeBefore: false},
		{name: "asked after Close", closeBefore: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := New[int](1, 0)
			if err := q.Err(); err != nil {
				t.Fatalf("Err() = %v before Close, want nil", err)
			}
			if tt.closeBefore {
				q.Close(nil)
			}
			ch := q.Closed()
			if !tt.closeBefore {
				select {
				case <-ch:
					t.Fatal("Closed's channel is closed before Close")
				default:
				}
				q.Close(nil)
			}
			select {
			case <-ch:
			default:
				t.Fatal("Closed's channel is still open after Close")
			}
			if q.Closed() != ch {
				t.Fatal("Closed returned a different channel the second time")
			}
			if err := q.Err(); err != ErrClosed {
				t.Fatalf("Err() = %v after Close(nil), want ErrClosed", err)
			}
		})
	}
}
