// Package frame implements the WebSocket wire format of RFC 6455: the base
// framing protocol of §5 (header encoding and decoding in §5.2, client-to-server
// masking in §5.3, fragmentation in §5.4), the rules for control frames of
// §5.5, the close status codes of §7.4 (with the codes IANA registered since,
// 1012–1014), and the UTF-8 requirement on text messages and close reasons of
// §8.1, validated as the bytes arrive.
//
// The package is Sans-I/O: it works on byte slices and on an io.Reader handed
// to it, and it starts no goroutines, reads no clocks and draws no random
// numbers. Encoding and judging are separate: [AppendHeader] and [AppendClose]
// write whatever they are given, legal or not, so that tests and conformance
// tools can build illegal frames on purpose; [Check], [Assembler], [ParseClose]
// and [UTF8Validator] decide what a received frame may be, and report a
// violation as a [*ProtocolError] that carries the close code to send.
//
// [Parser] puts these pieces together into the receiving half of the
// protocol for either role: the caller hands it the bytes it received, in
// pieces of any size, and gets back events (payload bytes of a data message,
// a ping, a pong, a close) or the violation to fail the connection with. It
// keeps the partial frame and the fragmented message itself, unmasks and
// checks payloads in place, and does no I/O, so the code that owns the
// socket has no protocol rules of its own; [Parser.Remaining] and
// [Parser.Payload] let that code read a large payload straight into its own
// memory.
//
// # Concurrency
//
// The functions of this package are safe to call from any number of
// goroutines. A [Parser], an [Assembler] or a [UTF8Validator] holds the
// state of one stream of frames and must not be used by two goroutines at
// once.
package frame
