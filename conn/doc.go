// Package conn implements WebSocket connections (RFC 6455) with the
// semantics of Sisk's WebSocket API: whole messages, in order, from a
// bounded queue, with a receive that can time out without harming the
// connection.
//
//	ws, err := conn.Accept(w, r, nil)            // server (RFC 6455 §4.2)
//	ws, resp, err := conn.Dial(ctx, url, nil)    // client (§4.1)
//	msg, err := ws.Receive(ctx)                  // next whole message
//	err = ws.Send(ctx, conn.Text, data)          // any goroutine
//	err = ws.Close(conn.StatusNormalClosure, "") // closing handshake (§7)
//
// # Receiving
//
// One reader goroutine per connection reads frames (§5), checks them
// (masking direction, reserved bits and opcodes, control frame rules,
// fragmentation, the read limit before any payload is read, UTF-8 of text
// as it arrives), answers every ping with a pong carrying its payload, in
// order, answers the peer's close frame, and puts every complete message in
// a bounded queue. [Conn.Receive] takes messages from that queue. When its
// context ends it returns ctx.Err() and nothing else happens: the message
// that arrives a moment later is returned by the next call.
//
// While the queue is full the reader stops reading the socket, so TCP
// slows the peer down, and a ping flood is bounded the same way: the
// reader does not read the next frame until its pong is queued for writing.
//
// On TCP and Unix sockets, a Receive call that finds the queue empty while
// the reader goroutine waits for the next frame takes over the reading: it
// waits for the socket itself (its context still bounds the wait), reads
// whole frames with the same checks, and returns the first message, so no
// goroutine hand-off is paid per message and a connection whose
// application waits in Receive runs no reader goroutine. A frame whose
// payload is still arriving is read as its bytes come, with every check made
// as they come; if the call's context ends in the middle of one, the part
// read is kept, and whoever reads next goes on from there. Everything that
// cannot wait for the application (pings, the peer's close, failures, and
// any bytes that arrive while the application has not come back to Receive
// within 10 ms) goes back to a reader goroutine, so the behaviour above is
// unchanged.
//
// The caller owns a received message's Data. An application that is done
// with it may give it back with [Message.Release]: a later message of about
// the same size then reuses the buffer rather than allocating one, which
// spares the garbage collector most of its work on a busy connection.
//
// # Sending
//
// One writer serialises whole messages: a message sent by [Conn.Send] never
// interleaves with another, and a message streamed with [Conn.Writer] keeps
// every other message waiting until it ends; control frames (pongs, pings,
// the close frame) may go out between its fragments. Frames are encoded into
// one output buffer, and whatever has queued up while a write is under way
// leaves in the next write: under load many messages share one syscall,
// while a lone message is written at once. See Send for what its return
// means and how its context bounds it: a Send whose context ends either sent
// nothing of its message or still sends it whole, never part of a frame, and
// the connection stays usable. A peer that stops reading is not waited for
// forever: when the socket takes no byte for CloseTimeout while the
// connection writes on its own, the connection is failed.
//
// # Errors
//
// A Receive or Send whose context ends returns context.Canceled or
// context.DeadlineExceeded, and the connection stays usable. [*CloseError]
// reports the peer's close frame. Every other ending is an error that wraps
// [ErrClosed] and its cause: ErrClosed alone after a local Close or
// CloseNow, io.ErrUnexpectedEOF when TCP ended without a close frame, the
// [*frame.ProtocolError] we sent when the peer broke the protocol (its Code
// was our close code: 1002, 1007 or 1009), an error wrapping
// ping.ErrTimeout when the peer stopped answering pings, or the error of a
// write that failed. (*CloseError).Is(ErrClosed) is true, so
// errors.Is(err, ErrClosed) holds for every error meaning "this connection
// is finished". After the peer's close frame or a failure, Receive still
// returns every message that was complete before it, then the error; after
// our own Close or CloseNow the queued messages are dropped. When the peer
// breaks the protocol, our close frame waits until Receive has reached the
// error (or Close, CloseNow or CloseTimeout), so replies sent to the earlier
// messages leave before it; an application waiting in Receive reaches the
// error at once, so the failure is as fast as the violation.
//
// # Memory
//
// A connection holds at most QueueSize messages of at most ReadLimit bytes
// in total, plus the message being received (at most ReadLimit), plus a
// 16 KiB read buffer and up to about 256 KiB of frames waiting for the socket
// while bytes flow: about 2 × ReadLimit in all (2 MiB with the defaults).
// An idle connection holds no read or write buffer (on TCP the reader waits
// for readability without one; on other transports it waits with a 256-byte
// buffer allocated with the connection), only small state (the Conn is 576
// bytes; its message queue has no slot until a message comes and gives its
// slots back once the connection is quiet) and, unless a Receive call is waiting on TCP, its
// reader goroutine. Buffers given back with [Message.Release] wait in
// process-wide pools, one per size class, which the garbage collector
// empties when they go unused.
//
// # Concurrency
//
// All methods of Conn are safe for concurrent use. Any number of goroutines
// may Send, SendText, SendBinary, Ping and Close while others Receive.
// Receive may also be called from several goroutines; each message goes to
// one of them. A Writer (the io.WriteCloser returned by Conn.Writer) is for
// one goroutine. Every goroutine a connection starts (its reader, short-lived
// flushers, its ping monitor) has ended when Done is closed, which happens
// soon after the connection ends in any way; CloseNow and Close return only
// then.
package conn
