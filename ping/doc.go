// Package ping implements the keepalive policy of a WebSocket connection: RFC 6455 pings
// (§5.5.2) sent at an interval, and dead-peer detection from the pongs (§5.5.3) that answer
// them.
//
// A Policy says how often to ping, with what payload (at most 125 bytes, §5.5), and how long
// a ping may stay unanswered. The logic lives in Keeper, which has no clock: it is given the
// time and says whether a ping is due, when to look again, and whether the peer is dead.
// Monitor runs a Keeper on real time; its Run method is the blocking loop a connection starts
// on a goroutine of its own, and Pinger is the one method it needs from the connection. The
// package-level Run is a Monitor for callers with no pongs to report; having no pong input,
// it refuses a Policy with a Timeout rather than declare every peer dead.
//
// Pongs and pauses are inputs. A pong answers every ping sent before it (RFC 6455 §5.5.3 lets
// a peer answer only the most recent ping). A pause means our own reader is blocked, for
// example because the application is not taking messages from a full queue: a pong could
// then not be read, so the dead-peer clock stops until Resume. Our slowness is not the
// peer's.
//
// The package knows nothing else of WebSockets: pings are never application messages.
//
// # Concurrency
//
// Keeper is not safe for concurrent use. Monitor is: Pong, Pause and Resume may be called from
// any goroutine (typically the connection's reader) while Run is running on another. Run
// starts no goroutines and stops its timer before returning.
package ping
