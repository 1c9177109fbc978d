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
// # Accept a connection
//
// In an http.Handler, [Accept] upgrades the request; on error it has already
// answered it. Origins other than the request's host are refused unless
// AcceptOptions.OriginPatterns allows them. See ExampleAccept and
// ExampleAcceptOptions.
//
// # Dial a server
//
// [Dial] takes a ws:// or wss:// URL; a server's refusal is a
// *handshake.Error with the response, a proxy's a *handshake.ProxyError.
// See ExampleDial, ExampleDialOptions and ExampleDial_proxyRefused.
//
// # Receive with a timeout
//
// [Conn.Receive] and [Conn.ReceiveTimeout] return the next whole message; when
// they give up they return context.DeadlineExceeded or context.Canceled, and
// nothing is lost. See ExampleConn_ReceiveTimeout. [Conn.ReceiveJSON] and
// [Conn.SendJSON] carry one JSON value per text message (ExampleConn_SendJSON).
//
// # Stream large messages
//
// [Conn.Reader] reads the next message as it arrives, [Conn.Writer] sends one
// in fragments, and [NetConn] makes the connection a net.Conn whose deadlines
// are ordinary timeouts (ExampleConn_Reader, ExampleConn_Writer,
// ExampleNetConn).
//
// # Broadcast
//
// A [Group] holds a server's connections, with optional identifiers; a
// member leaves by itself when its connection ends. [Group.Broadcast] sends
// a [PreparedMessage] (encoded once, see [Prepare]) to every member without
// waiting for any: a slow member misses the message, or is closed with 1008
// (Group.CloseSlowAfter). See ExampleGroup_Broadcast.
//
// # Shut down
//
// [Conn.Close] runs the closing handshake, bounded by CloseTimeout;
// [Conn.CloseNow] closes at once (defer it). http.Server.Shutdown does not
// see upgraded connections: keep them in a [Group] and call
// [Group.CloseAll] with StatusGoingAway from http.Server.RegisterOnShutdown
// (ExampleConn_Close, ExampleGroup_CloseAll).
//
// # WebSockets over HTTP/2
//
// Accept also takes a WebSocket opened by an extended CONNECT over HTTP/2
// (RFC 8441; net/http's server allows it only with GODEBUG=http2xconnect=1),
// and Dial opens one with DialOptions.HTTP2: the connection runs on the
// stream, with the same semantics (h2.go). The handler keeps the stream until
// the connection ends, and its route must match the method CONNECT. A
// goroutine reads the stream for the connection, so that a Receive that
// gives up loses nothing there either; a write that a deadline cuts short
// resets the stream, as it breaks a TLS connection. See
// ExampleDialOptions_http2.
//
// # Keep alive and detect dead peers
//
// Set the Ping option, or call [Conn.StartPing], with a ping.Policy: a ping
// every Interval, and a peer that leaves one unanswered for Timeout (the
// Interval when zero) is dropped with 1011. No pings are sent by default:
// with them an idle connection costs a goroutine more (at 2,000 idle
// connections, 15.7 KiB of RSS each against 9.7 KiB). See
// ExampleConn_StartPing.
//
// # Limits
//
// ReadLimit (1 MiB) bounds a whole message, StreamLimit a streamed one,
// QueueSize (16) the messages waiting for Receive: a connection buffers about
// 2 × ReadLimit at most. See [Options] and ExampleOptions.
//
// # Errors
//
// [CloseStatus] gives the peer's close code of any error, if it sent one
// (ExampleCloseStatus).
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
// # Concurrency
//
// All methods of Conn are safe for concurrent use. Any number of goroutines
// may Send, SendText, SendBinary, Ping and Close while others Receive.
// Receive may also be called from several goroutines; each message goes to
// one of them. A Writer (the io.WriteCloser returned by Conn.Writer) is for
// one goroutine, and so is a MessageReader. Every goroutine a connection
// starts (its background reader, short-lived flushers, its ping monitor) has ended when Done is closed, which happens
// soon after the connection ends in any way; CloseNow and Close return only
// then.
//
// # Internals
//
// What follows is how the connection works inside.
//
// # Receiving, inside
//
// The peer's frames (§5) are judged by a protocol core that does no I/O,
// frame.Parser: masking direction, reserved bits and opcodes, control frame
// rules, fragmentation, the read limit from each declared length before any
// payload is read, UTF-8 of text at the first impossible byte. Every ping
// is answered with a pong carrying its payload, in order, and the peer's
// close frame is answered. [Conn.Receive] returns whole messages; when its
// context ends it returns ctx.Err() and nothing else happens: what it had
// read stays for the next call.
//
// # How a message travels
//
// One owner at a time reads the socket (reading.go): it holds the reading,
// a lock (readingLock), and with it the buffered bytes, the parser and the
// message being put together (input.go).
//
//  1. A Receive call first takes a message from the queue, if the
//     background reader left one there (read.go: receive).
//  2. Otherwise it takes the reading and reads itself: it waits for the
//     socket (on TCP without holding a buffer), feeds the bytes to the
//     parser, answers control frames, appends payload to the message (a
//     large payload is read straight into the message's memory) and
//     returns the message as soon as it is whole (readMessage), inflated
//     first if it came compressed (deflate.go). Bytes beyond it stay
//     buffered for the next call. Its context bounds each
//     wait through the socket's read deadline.
//  3. When it returns, nobody reads until the next Receive call. If none
//     comes within 10 ms (idleGrace), the background reader takes the
//     reading, so that pings are answered and the peer's close is seen
//     while the application is busy; it puts messages in a bounded queue
//     (while the queue is full it reads nothing, so TCP slows the peer)
//     and steps aside as soon as a Receive call waits for the reading.
//  4. Once the connection is ending (the peer's close frame, a violation,
//     a local Close, a failure), the background reader reads until the
//     end and finishes the connection (close.go); Receive then returns the
//     queued messages and the ending error.
//
// [Conn.Reader] takes the next message as a stream instead: its Reads take
// the reading in turn and copy payload out as it arrives, or read it
// straight into the caller's buffer, so a message of any size (up to
// StreamLimit) is never held whole. (A compressed message is the exception:
// it is inflated whole, under ReadLimit, and then read from memory.)
//
// # Compression
//
// With permessage-deflate (RFC 7692; the Compression option of Accept and
// Dial) Send compresses each whole message of at least
// DefaultCompressionThreshold bytes (Compression.Threshold) with a pooled
// compress/flate writer; messages streamed with Writer go out as they are.
// A received compressed message is inflated by a pooled reader, and
// ReadLimit counts its inflated bytes. By default neither side keeps
// compression context between messages, so an idle connection holds no
// compressor and no window; Compression.ContextTakeover and
// PeerContextTakeover trade memory (about 1.2 MB and 32 KiB per connection)
// for ratio.
//
// The caller owns a received message's Data. An application that is done
// with it may give it back with [Message.Release]: a later message of about
// the same size then reuses the buffer rather than allocating one, which
// spares the garbage collector most of its work on a busy connection.
// Release sets Data to nil and gives back only the buffer Receive handed
// out, once: a second Release, or one of a Message the application built,
// does nothing.
//
// # Sending, inside
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
// # Memory
//
// A connection holds at most QueueSize messages of at most ReadLimit bytes
// in total, plus the message being received (at most ReadLimit), plus a
// 16 KiB read buffer and up to about 256 KiB of frames waiting for the socket
// while bytes flow: about 2 × ReadLimit in all (2 MiB with the defaults).
// A message's memory follows the lengths its frames announce, but never runs
// more than 8 times ahead of the bytes that have arrived: a message in one
// frame costs about its size in allocations (at most 8/7 of it), one in
// fragments at most about twice its size. An idle connection holds no read
// or write buffer (on TCP the owner of the reading waits for readability
// without one; on other transports it waits with a 256-byte buffer), only
// small state (the Conn is at most 576 bytes; its message queue has no slot
// until a message comes and gives its slots back once the connection is
// quiet) and, unless a Receive call is waiting, the background reader
// goroutine. Buffers given back with [Message.Release] wait in
// process-wide pools, one per size class, which the garbage collector
// empties when they go unused.
package conn
