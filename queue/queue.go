package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ErrClosed is the error Push and Pop return after Close(nil).
var ErrClosed = errors.New("queue: closed")

// errNegativeCost is returned by Push for a cost below zero.
var errNegativeCost = errors.New("queue: negative cost")

// The ring is allocated on the first Push with a single slot, enough for a
// queue that holds one item at a time (a connection that is idle or answers
// one message after another). The first time a second item is queued it grows
// to initialCap slots, then by doubling, always up to maxItems; it never
// shrinks, so a queue that has reached its working size no longer allocates.
const initialCap = 16

// Queue is a FIFO queue of T with a limit on the number of items and, optionally, on the total
// cost of the items it holds. The zero value is not usable; call New.
type Queue[T any] struct {
	mu sync.Mutex

	// ring holds n items starting at head; len(ring) <= maxItems. It is nil
	// until the first Push (see initialCap).
	ring []entry[T]
	head int
	// n is the number of items. It changes only under mu; Len reads it
	// without, so that a caller can see an empty queue for the price of
	// one load.
	n    atomic.Int64
	cost int64

	maxItems int
	maxCost  int64

	closed bool
	err    error         // the Close error, set once
	closeC chan struct{} // made by Closed, closed by Close

	pops   waitList // Pop callers blocked on an empty queue, oldest first
	pushes waitList // Push callers blocked on a full queue, oldest first
	free   *waiter  // waiters kept for reuse, so blocking does not allocate in steady state

	// Waiters unlinked under mu, whose tokens unlock sends once mu is released: a goroutine
	// woken while we still hold mu would only go back to sleep on it.
	woken, wokenLast *waiter
}

type entry[T any] struct {
	v    T
	cost int64
}

// waiter is one blocked Push or Pop caller. A waker unlinks it from its list under the mutex
// and then, after releasing the mutex, sends exactly one token on ch (capacity 1). A waiter
// that finds itself unlinked therefore knows a token is in ch or about to be, and drains it
// before the waiter is reused.
type waiter struct {
	ch         chan struct{}
	prev, next *waiter
	listed     bool
	wakeNext   *waiter // in Queue.woken
}

type waitList struct {
	first, last *waiter
}

func (l *waitList) pushBack(w *waiter) {
	w.prev, w.next = l.last, nil
	if l.last == nil {
		l.first = w
	} else {
		l.last.next = w
	}
	l.last = w
	w.listed = true
}

func (l *waitList) remove(w *waiter) {
	if w.prev == nil {
		l.first = w.next
	} else {
		w.prev.next = w.next
	}
	if w.next == nil {
		l.last = w.prev
	} else {
		w.next.prev = w.prev
	}
	w.prev, w.next, w.listed = nil, nil, false
}

// wakeFirst unlinks the oldest waiter of l, if any, and schedules its wake-up. The caller
// holds mu.
func (q *Queue[T]) wakeFirst(l *waitList) {
	w := l.first
	if w == nil {
		return
	}
	l.remove(w)
	if q.wokenLast == nil {
		q.woken = w
	} else {
		q.wokenLast.wakeNext = w
	}
	q.wokenLast = w
}

// wakeAll unlinks every waiter of l and schedules their wake-ups. The caller holds mu.
func (q *Queue[T]) wakeAll(l *waitList) {
	for l.first != nil {
		q.wakeFirst(l)
	}
}

// unlock releases mu, then sends the tokens of the waiters woken meanwhile.
func (q *Queue[T]) unlock() {
	w := q.woken
	q.woken, q.wokenLast = nil, nil
	q.mu.Unlock()
	for w != nil {
		next := w.wakeNext
		w.wakeNext = nil
		w.ch <- struct{}{} // never blocks: one token per registration, drained before reuse
		w = next
	}
}

// New returns an empty queue that holds at most maxItems items and, when maxCost > 0, items
// whose costs add up to at most maxCost. A maxItems below 1 is taken as 1. maxCost <= 0 means
// no cost bound.
func New[T any](maxItems int, maxCost int64) *Queue[T] {
	if maxItems < 1 {
		maxItems = 1
	}
	if maxCost < 0 {
		maxCost = 0
	}
	return &Queue[T]{
		maxItems: maxItems,
		maxCost:  maxCost,
	}
}

// fits reports whether an item of the given cost may be added now. An item whose cost alone
// exceeds maxCost fits an empty queue, so no item can block forever.
func (q *Queue[T]) fits(cost int64) bool {
	if int(q.n.Load()) == q.maxItems {
		return false
	}
	// Written so that huge costs cannot overflow: q.cost never exceeds maxCost unless one
	// oversized item is alone in the queue, and then nothing else fits.
	return q.maxCost == 0 || q.n.Load() == 0 || cost <= q.maxCost-q.cost
}

// Push appends v with the given cost (for example its size in bytes), blocking while the
// queue is full by count or by cost. It returns ctx.Err() if ctx is done before there is room,
// and the Close error once the queue is closed; in both cases v was not added. When there is
// room, Push adds v even if ctx is already done. A negative cost is an error.
func (q *Queue[T]) Push(ctx context.Context, v T, cost int64) error {
	if cost < 0 {
		return fmt.Errorf("%w: %d", errNegativeCost, cost)
	}
	q.mu.Lock()
	for {
		if q.closed {
			err := q.err
			q.unlock()
			return err
		}
		if q.fits(cost) {
			q.add(v, cost)
			q.wakeFirst(&q.pops)
			q.unlock()
			return nil
		}
		if err := q.wait(ctx, &q.pushes); err != nil {
			q.unlock()
			return err
		}
	}
}

// add appends to the ring, growing it up to maxItems. The caller holds mu and checked fits.
func (q *Queue[T]) add(v T, cost int64) {
	if int(q.n.Load()) == len(q.ring) {
		var size int
		switch len(q.ring) {
		case 0:
			size = 1
		case 1:
			size = initialCap
		default:
			size = 2 * len(q.ring)
		}
		grown := make([]entry[T], min(size, q.maxItems))
		k := copy(grown, q.ring[q.head:])
		copy(grown[k:], q.ring[:q.head])
		q.ring, q.head = grown, 0
	}
	i := q.head + int(q.n.Load())
	if i >= len(q.ring) {
		i -= len(q.ring)
	}
	q.ring[i] = entry[T]{v: v, cost: cost}
	q.n.Add(1)
	q.cost += cost
}

// take removes the oldest item. The caller holds mu and checked n > 0.
func (q *Queue[T]) take() T {
	e := &q.ring[q.head]
	v := e.v
	q.cost -= e.cost
	*e = entry[T]{} // let the garbage collector have what v points to
	q.head++
	if q.head == len(q.ring) {
		q.head = 0
	}
	q.n.Add(-1)
	// Room was made: every blocked Push re-checks, since which of them fits depends on its cost.
	q.wakeAll(&q.pushes)
	// Each Push wakes one Pop; a Pop that leaves items behind passes the wake-up on, so an item
	// never sits in the queue while a Pop sleeps.
	if q.n.Load() > 0 {
		q.wakeFirst(&q.pops)
	}
	return v
}

// wait blocks on list until woken or until ctx is done. The caller holds mu; wait returns
// with mu held. It returns ctx.Err() only if it was not woken, so no wake-up is lost: a
// wake-up that races with cancellation is honoured (the caller re-checks the queue).
func (q *Queue[T]) wait(ctx context.Context, list *waitList) error {
	w := q.free
	if w != nil {
		q.free = w.next
		w.next = nil
	} else {
		w = &waiter{ch: make(chan struct{}, 1)}
	}
	list.pushBack(w)
	q.unlock()

	var err error
	select {
	case <-w.ch:
	case <-ctx.Done():
		err = ctx.Err()
	}

	q.mu.Lock()
	if err != nil {
		if w.listed {
			list.remove(w)
		} else {
			// Woken while giving up: take the wake-up instead, so it is not lost. Its
			// token is sent, or about to be, by whoever unlinked w.
			q.unlock()
			<-w.ch
			q.mu.Lock()
			err = nil
		}
	}
	w.next = q.free
	q.free = w
	return err
}

// Pop removes and returns the oldest item, blocking while the queue is empty. If ctx is done
// first it returns ctx.Err() and has no effect on the queue: an item pushed later stays for
// the next Pop. An item already queued is returned even if ctx is done. After Close, Pop
// returns the remaining items, then the Close error.
func (q *Queue[T]) Pop(ctx context.Context) (T, error) {
	q.mu.Lock()
	for {
		if q.n.Load() > 0 {
			v := q.take()
			q.unlock()
			return v, nil
		}
		if q.closed {
			err := q.err
			q.unlock()
			var zero T
			return zero, err
		}
		if err := q.wait(ctx, &q.pops); err != nil {
			q.unlock()
			var zero T
			return zero, err
		}
	}
}

// TryPop removes and returns the oldest item without blocking. With nothing queued it returns
// ok == false, and err == the Close error if the queue is closed.
func (q *Queue[T]) TryPop() (v T, ok bool, err error) {
	q.mu.Lock()
	defer q.unlock()
	if q.n.Load() > 0 {
		return q.take(), true, nil
	}
	if q.closed {
		return v, false, q.err
	}
	return v, false, nil
}

// Close closes the queue: Push returns err from now on, and Pop returns err once the queue is
// drained. A nil err means ErrClosed. Only the first call has an effect; every blocked Push and
// Pop is woken.
func (q *Queue[T]) Close(err error) {
	if err == nil {
		err = ErrClosed
	}
	q.mu.Lock()
	defer q.unlock()
	if q.closed {
		return
	}
	q.closed, q.err = true, err
	if q.closeC != nil {
		close(q.closeC)
	}
	q.wakeAll(&q.pops)
	q.wakeAll(&q.pushes)
}

// Closed returns a channel that is closed when the queue is closed, for a
// caller that waits for other things as well. The channel is made on the
// first call.
func (q *Queue[T]) Closed() <-chan struct{} {
	q.mu.Lock()
	defer q.unlock()
	if q.closeC == nil {
		q.closeC = make(chan struct{})
		if q.closed {
			close(q.closeC)
		}
	}
	return q.closeC
}

// Err returns the Close error once the queue is closed, nil before.
func (q *Queue[T]) Err() error {
	q.mu.Lock()
	defer q.unlock()
	return q.err
}

// Discard drops every queued item and wakes every blocked Push. Together with Close it ends a
// queue at once: Close(err) then Discard() makes Pop return err immediately.
func (q *Queue[T]) Discard() {
	q.mu.Lock()
	defer q.unlock()
	for q.n.Load() > 0 {
		q.ring[q.head] = entry[T]{}
		q.head++
		if q.head == len(q.ring) {
			q.head = 0
		}
		q.n.Add(-1)
	}
	q.head, q.cost = 0, 0
	q.wakeAll(&q.pushes)
}

// Shrink lets go of what the queue keeps to run without allocating: the
// waiters kept for reuse and, if the queue is empty, its ring. It is for a
// queue that is likely to stay unused for a while (an idle connection's); the
// next wait or Push allocates them again.
func (q *Queue[T]) Shrink() {
	q.mu.Lock()
	defer q.unlock()
	q.free = nil
	if q.n.Load() == 0 {
		q.ring, q.head = nil, 0
	}
}

// Len returns the number of queued items.
func (q *Queue[T]) Len() int { return int(q.n.Load()) }
