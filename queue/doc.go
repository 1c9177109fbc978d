// Package queue implements a bounded, first-in first-out queue whose Pop can give up without
// side effects.
//
// A WebSocket connection (RFC 6455) has one goroutine reading frames from the socket and an
// application that asks for messages when it pleases. The queue sits between them:
//
//   - Push blocks while the queue is full, by number of items or by the total cost (for example
//     bytes) of what it holds. That is the backpressure: a reader blocked in Push stops reading
//     the socket, and TCP flow control pushes back on the peer. An item whose cost alone exceeds
//     the budget is still admitted once the queue is empty, so nothing blocks forever.
//   - Pop returns the oldest item, or ctx.Err() with no effect on the queue: an item that
//     arrives just after a Pop gave up stays for the next Pop. Nothing is lost or reordered.
//   - Close(err) ends the queue: Pop returns what is left, then err. Discard drops everything
//     and wakes a blocked Push, for a local close.
//
// The package knows nothing of WebSockets.
//
// # Concurrency
//
// All methods are safe for concurrent use by any number of goroutines. Items are delivered in
// the order their Push calls completed, each to exactly one Pop or TryPop. Blocked Pop callers
// are woken oldest first, one per item, though which of two woken callers takes which item is
// up to the scheduler. Blocked Push callers are all woken when room appears and race for it, so
// when several of them block, their relative order (and whether a large item waits while
// smaller ones pass) is not specified; with one producer, as in a connection, order is simply
// the order of its calls.
//
// Push and Pop do not allocate once the ring has grown to its working size: a blocked caller
// waits on a channel that the queue keeps for reuse.
package queue
