// Package spec implements an in-process conformance table for RFC 6455 and
// RFC 7692 (permessage-deflate): the case catalogue of the Autobahn
// testsuite's sections 1 to 7 and 10 (framing, pings and pongs, reserved
// bits, reserved opcodes, fragmentation, UTF-8 handling, the closing
// handshake, fragmented messages), a representative part of its sections 12
// and 13 (compressed messages of five kinds of data, and under different
// agreements), re-expressed as Go values in the style of h2spec, plus the
// protocol rules of this module's design that the testsuite does not check
// ("conn.N"), those of RFC 7692 among them.
//
// Each [Case] has the testsuite's ID ("5.15"), a description, the sentence of
// the RFC it checks, the raw frames a peer sends — illegal ones included,
// written at once, frame by frame, in chops, or with pauses — and the
// behaviour the endpoint under test must show: messages echoed, pongs with the
// ping's payload, a close frame with one of a set of codes (RFC 6455 §7.4),
// nothing at all, and in every case a clean end of the TCP connection
// (§5.5.1, §7.1.1). "Fail fast" is checked by steps that wait for the
// endpoint's close frame before the rest of a message is sent (6.4.x).
//
// A case may start with a permessage-deflate agreement (Settings.Deflate,
// as if the opening handshake had negotiated it; package handshake tests the
// negotiation) and say how the endpoint compresses (Settings.Compression).
// The peer then compresses what SendCompressed steps send as RFC 7692 §7.2.1
// says, with its context kept between messages where the agreement allows
// its side, within its window; and it inflates the endpoint's compressed
// messages with the endpoint's last window only where the agreement allows
// the endpoint to take over its context, checking every back-reference
// against the endpoint's window (compress/flate's reader decodes any
// distance up to 32 KiB, so the peer walks the DEFLATE stream itself). An
// expected message says whether it must arrive compressed.
//
// Sections 12 and 13 send 1000 messages of each of 18 sizes in the
// testsuite; here each subsection keeps six of its sizes, with a handful of
// messages each, cut from generated data of the kinds the testsuite's files
// hold. Section 13's subsections are the agreements its negotiations reach;
// 13.4 and 13.6 would repeat 13.1 and 13.2 without a handshake and are left
// out, and 13.7 is an agreement that differs by direction.
//
// [Run] plays one case as a raw-frame peer over any net.Conn, as a client
// (masking its frames, §5.3) against a server or as a server against a
// client. The peer is built on package frame's header codec and masking, and
// on compress/flate, only; it judges what the endpoint sends with its own
// reading of the RFCs, not with the code it tests. It reports a mismatch as
// a [*Failure]: the expected and the actual behaviour, and a transcript of
// the run.
//
// In this module, go test runs every case against package conn, as a server
// and, roles swapped, as a client, each as a subtest named by its ID: select a
// section with an anchored pattern, e.g.
//
//	go test ./autobahn/spec -run 'TestSpec/Server/^6\.4\.'
//
// The catalogue is written from the testsuite's public case descriptions and
// from the RFCs; the testsuite's informational cases get the behaviour this
// module's design promises (7.1.6 accepts any prefix of the echoes, 7.13.x
// wants 1002).
//
// # Concurrency
//
// [Cases] and [Run] may be called from any number of goroutines; each Run
// owns its connection and starts one goroutine, which ends before Run
// returns.
package spec
