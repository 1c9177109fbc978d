// Package autobahn implements the conformance harness that runs the Autobahn
// WebSocket testsuite against this module: its fuzzingclient mode against our
// server (an in-process echo handler built on conn.Accept) and its
// fuzzingserver mode against our client (a testee built on conn.Dial).
//
// The testsuite checks the rules of RFC 6455: framing (§5.2), control frames
// (§5.5), reserved bits and opcodes (§5.2), fragmentation (§5.4), UTF-8
// handling (§8.1), the closing handshake (§5.5.1, §7) and limits on large and
// many messages; sections 12 and 13 check permessage-deflate (RFC 7692):
// compressed messages of every size, under every negotiable agreement.
// Config.Compression sets the policy our server and client negotiate with.
//
// A run takes four steps:
//
//   - write the testsuite's spec file (ServerSpec, ClientSpec);
//   - run wstest, either through Docker (the crossbario/autobahn-testsuite
//     image, when "docker info" answers) or through a local wstest command
//     (FindEngine);
//   - read its reports, index.json and one JSON file per case (ReadReport),
//     into typed results with a verdict: OK and INFORMATIONAL pass, anything
//     else fails;
//   - print a summary sorted by case number (Report.Summary) and diff the run
//     against a committed file of expected behaviours (Expectations, Diff), so
//     a regression shows up as a diff.
//
// The go test TestAutobahn runs both modes when the environment variable
// AUTOBAHN=1 is set, and skips otherwise; cmd/autobahn is the command-line
// front end. Everything listens on and connects to 127.0.0.1 only.
//
// The in-process catalogue of the testsuite's cases, which runs in plain
// go test without the testsuite, lives in the subpackage autobahn/spec.
//
// # Concurrency
//
// The pure functions and types (reports, verdicts, sorting, expectations,
// specs) hold no shared state. Run, RunServer, RunClient and Testee.Run block
// until the suite finishes or their context ends; separate calls may run at
// the same time as long as they use different output directories.
package autobahn
