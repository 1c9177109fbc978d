// Package spec implements an in-process conformance table for RFC 6455: the
// case catalogue of the Autobahn testsuite's sections 1 to 7 and 10 (framing,
// pings and pongs, reserved bits, reserved opcodes, fragmentation, UTF-8
// handling, the closing handshake, fragmented messages), re-expressed as Go
// values in the style of h2spec, plus the protocol rules of this module's
// design that the testsuite does not check ("conn.N").
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
// [Run] plays one case as a raw-frame peer over any net.Conn, as a client
// (masking its frames, §5.3) against a server or as a server against a
// client. The peer is built on package frame's header codec and masking only;
// it judges what the endpoint sends with its own reading of the RFC, not with
// the code it tests. It reports a mismatch as a [*Failure]: the expected and
// the actual behaviour, and a transcript of the run.
//
// In this module, go test runs every case against package conn, as a server
// and, roles swapped, as a client, each as a subtest named by its ID: select a
// section with an anchored pattern, e.g.
//
//	go test ./autobahn/spec -run 'TestSpec/Server/^6\.4\.'
//
// The catalogue is written from the testsuite's public case descriptions and
// from the RFC; the testsuite's informational cases get the behaviour this
// module's design promises (7.1.6 accepts any prefix of the echoes, 7.13.x
// wants 1002).
//
// # Concurrency
//
// [Cases] and [Run] may be called from any number of goroutines; each Run
// owns its connection and starts one goroutine, which ends before Run
// returns.
package spec
