package queue

import (
	"context"
	"errors"
)

// ErrClosed is the error Pop and Push return after Close(nil).
var ErrClosed = errors.New("queue: closed")

// Queue is a bounded FIFO queue.
type Queue[T any] struct {
	items []T
}

// New returns an empty queue holding at most maxItems items and, when maxCost > 0, at most maxCost
// total cost.
func New[T any](maxItems int, maxCost int64) *Queue[T] { return &Queue[T]{} }

// Push appends v, blocking while the queue is full.
func (q *Queue[T]) Push(ctx context.Context, v T, cost int64) error { return errors.New("queue: not implemented") }

// Pop removes and returns the oldest item.
func (q *Queue[T]) Pop(ctx context.Context) (T, error) {
	var zero T
	return zero, errors.New("queue: not implemented")
}

// TryPop returns the oldest item without blocking.
func (q *Queue[T]) TryPop() (v T, ok bool, err error) { return v, false, nil }

// Close closes the queue with err.
func (q *Queue[T]) Close(err error) {}

// Discard drops every queued item.
func (q *Queue[T]) Discard() {}

// Len returns the number of queued items.
func (q *Queue[T]) Len() int { return len(q.items) }
