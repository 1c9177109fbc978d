package spec

import (
	"fmt"

	"github.com/seed865a0254/websocket/frame"
	"github.com/seed865a0254/websocket/handshake"
)

// compressionParameters is section 13 of the testsuite: JSON messages,
// compressed and echoed one at a time, under different agreements. The
// endpoint compresses every message it echoes and takes over its context
// wherever the agreement allows; the peer does the same, and holds the
// endpoint to the agreement: no reference into an earlier message where its
// side may not take over its context, none past its window.
//
// The testsuite's subsections differ by what its offer and its answer ask.
// Here no handshake runs: each subsection is the agreement that negotiation
// reaches. 13.4 and 13.6 ask for 15-bit windows outright, which agrees to
// what 13.1 and 13.2 get by default; without a handshake they would repeat
// those cases, and are left out (package handshake tests the negotiation).
// 13.7's offers let the server choose; here 13.7 is an agreement that
// differs by direction, one side taking over its context within a 9-bit
// window while the other compresses each message on its own with a 15-bit
// one. Since the table runs every case with the endpoint as server and as
// client, each side of each agreement is played by the endpoint once.
func compressionParameters() []Case {
	json := corpus{"JSON (the testsuite's data1.json)", frame.OpText, corpora().json}
	agreements := []struct {
		sub  int
		desc string
		req  string
		d    handshake.Deflate
	}{
		{1, "with permessage-deflate agreed with no parameters (context takeover allowed both ways, 15-bit windows)",
			reqTakeover, handshake.Deflate{ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{2, "with server_no_context_takeover and client_no_context_takeover agreed (15-bit windows)",
			reqNoTakeover, handshake.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 15, ClientMaxWindowBits: 15}},
		{3, "with server_max_window_bits=9 and client_max_window_bits=9 agreed, context takeover allowed both ways " +
			"(the testsuite asks for 8; this module asks for 9 at least, since zlib cannot compress with 8)",
			reqWindow + " " + reqTakeover, handshake.Deflate{ServerMaxWindowBits: 9, ClientMaxWindowBits: 9}},
		{5, "with server_no_context_takeover, client_no_context_takeover, server_max_window_bits=9 and client_max_window_bits=9 agreed",
			reqWindow + " " + reqNoTakeover, handshake.Deflate{ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 9, ClientMaxWindowBits: 9}},
		{7, "with server_max_window_bits=9 and client_no_context_takeover agreed (the server may take over its context " +
			"within 9 bits, the client compresses each message on its own within 15)",
			reqWindow + " " + reqTakeover + " " + reqNoTakeover, handshake.Deflate{ClientNoContextTakeover: true, ServerMaxWindowBits: 9, ClientMaxWindowBits: 15}},
	}
	var cs []Case
	for _, a := range agreements {
		set := Settings{Deflate: &a.d, Compression: &Compression{ContextTakeover: true}}
		for _, i := range section13Picks {
			cs = append(cs, deflateCase(fmt.Sprintf("13.%d.%d", a.sub, i), json, i, a.desc,
				"the endpoint compresses every message it echoes, taking over its context where the agreement allows",
				a.req, set))
		}
	}
	return cs
}
