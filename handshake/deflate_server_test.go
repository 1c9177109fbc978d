package handshake

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// negotiationCase is one offer (the request's Sec-WebSocket-Extensions
// lines) and the server's expected answer under opts ("" for none).
type negotiationCase struct {
	name   string
	opts   DeflateOptions
	offer  []string
	answer string
	want   *Deflate
}

func runNegotiation(t *testing.T, tests []negotiationCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, exts := negotiateDeflate(tt.offer, &tt.opts)
			if got := formatExtensions(exts); got != tt.answer {
				t.Errorf("answer to %q = %q, want %q", tt.offer, got, tt.answer)
			}
			if diff := cmp.Diff(tt.want, d); diff != "" {
				t.Errorf("agreement for %q mismatch (-want +got):\n%s", tt.offer, diff)
			}
		})
	}
}

// deflate15 is an agreement with both windows at 15 bits. (Tests write
// agreements as Deflate{ServerNoContextTakeover, ClientNoContextTakeover,
// ServerMaxWindowBits, ClientMaxWindowBits}.)
func deflate15(serverNoTakeover, clientNoTakeover bool) *Deflate {
	return &Deflate{serverNoTakeover, clientNoTakeover, 15, 15}
}

// RFC 7692 §5: the first acceptable offer wins; other extensions are ignored.
func TestNegotiateChoosesOffer(t *testing.T) {
	runNegotiation(t, []negotiationCase{
		{name: "no offer", answer: ""},
		{name: "other extensions only", offer: []string{"x-webkit-deflate-frame, permessage-foo"}, answer: ""},
		{
			name:   "first of two valid offers",
			offer:  []string{"permessage-deflate; server_max_window_bits=10, permessage-deflate"},
			answer: "permessage-deflate; server_no_context_takeover; server_max_window_bits=10",
			want:   &Deflate{true, false, 10, 15},
		},
		{
			name:   "invalid offer declined, next one accepted",
			offer:  []string{"permessage-deflate; server_max_window_bits=16, permessage-deflate; client_max_window_bits"},
			answer: "permessage-deflate; server_no_context_takeover",
			want:   deflate15(true, false),
		},
		{
			name:   "offers over several lines",
			offer:  []string{"x-foo", "permessage-deflate; mystery", "permessage-deflate; server_max_window_bits=12"},
			answer: "permessage-deflate; server_no_context_takeover; server_max_window_bits=12",
			want:   &Deflate{true, false, 12, 15},
		},
		{
			name:   "behind another extension",
			offer:  []string{"x-webkit-deflate-frame, permessage-deflate"},
			answer: "permessage-deflate; server_no_context_takeover",
			want:   deflate15(true, false),
		},
		{name: "every offer invalid", offer: []string{"permessage-deflate; a, permessage-deflate; b"}, answer: ""},
		{name: "name is case-sensitive", offer: []string{"Permessage-Deflate"}, answer: ""},
	})
}

// RFC 7692 §7: "A server MUST decline an extension negotiation offer for
// this extension if" a parameter is unknown, has an invalid value, or
// appears twice. Declining is not failing: the handshake goes on.
func TestNegotiateDeclines(t *testing.T) {
	var tests []negotiationCase
	for _, offer := range []string{
		"permessage-deflate; mystery",
		"permessage-deflate; Server_No_Context_Takeover", // parameter names are case-sensitive
		"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
		"permessage-deflate; client_no_context_takeover; client_no_context_takeover",
		"permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
		"permessage-deflate; client_max_window_bits; client_max_window_bits",
		"permessage-deflate; client_max_window_bits=10; client_max_window_bits",
		"permessage-deflate; server_no_context_takeover=1",
		`permessage-deflate; client_no_context_takeover="x"`,
		"permessage-deflate; server_max_window_bits", // needs a value
		"permessage-deflate; server_max_window_bits=7",
		"permessage-deflate; server_max_window_bits=16",
		"permessage-deflate; server_max_window_bits=0",
		"permessage-deflate; server_max_window_bits=08", // leading zero
		"permessage-deflate; server_max_window_bits=010",
		"permessage-deflate; server_max_window_bits=+9",
		"permessage-deflate; server_max_window_bits=9.0",
		"permessage-deflate; server_max_window_bits=ten",
		"permessage-deflate; server_max_window_bits=99999999999999999999",
		`permessage-deflate; server_max_window_bits="16"`,
		"permessage-deflate; client_max_window_bits=7",
		"permessage-deflate; client_max_window_bits=16",
		"permessage-deflate; client_max_window_bits=09",
	} {
		tests = append(tests, negotiationCase{name: offer, offer: []string{offer}, answer: ""})
	}
	runNegotiation(t, tests)
}

// RFC 7692 §7.1.1.1 (server_no_context_takeover) and §7.1.1.2
// (client_no_context_takeover).
func TestNegotiateContextTakeover(t *testing.T) {
	runNegotiation(t, []negotiationCase{
		{
			name:   "we declare our own no context takeover by default",
			offer:  []string{"permessage-deflate"},
			answer: "permessage-deflate; server_no_context_takeover",
			want:   deflate15(true, false),
		},
		{
			name:   "context takeover when allowed",
			opts:   DeflateOptions{ContextTakeover: true},
			offer:  []string{"permessage-deflate"},
			answer: "permessage-deflate",
			want:   deflate15(false, false),
		},
		{
			name:   "server_no_context_takeover asked must be answered",
			opts:   DeflateOptions{ContextTakeover: true},
			offer:  []string{"permessage-deflate; server_no_context_takeover"},
			answer: "permessage-deflate; server_no_context_takeover",
			want:   deflate15(true, false),
		},
		{
			name:   "client_no_context_takeover added by the server",
			opts:   DeflateOptions{PeerNoContextTakeover: true},
			offer:  []string{"permessage-deflate"},
			answer: "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
			want:   deflate15(true, true),
		},
		{
			name:   "client_no_context_takeover offered, not answered: we keep the window",
			offer:  []string{"permessage-deflate; client_no_context_takeover"},
			answer: "permessage-deflate; server_no_context_takeover",
			want:   deflate15(true, false),
		},
		{
			name:   "client_no_context_takeover offered and answered",
			opts:   DeflateOptions{PeerNoContextTakeover: true, ContextTakeover: true},
			offer:  []string{"permessage-deflate; client_no_context_takeover"},
			answer: "permessage-deflate; client_no_context_takeover",
			want:   deflate15(false, true),
		},
	})
}

// RFC 7692 §7.1.2.1 (server_max_window_bits) and §7.1.2.2
// (client_max_window_bits).
func TestNegotiateWindowBits(t *testing.T) {
	tests := []negotiationCase{
		{
			name:   "server_max_window_bits not offered, not answered",
			opts:   DeflateOptions{ContextTakeover: true},
			offer:  []string{"permessage-deflate"},
			answer: "permessage-deflate",
			want:   deflate15(false, false),
		},
		{
			name:   "quoted value",
			opts:   DeflateOptions{ContextTakeover: true},
			offer:  []string{`permessage-deflate; server_max_window_bits="10"`},
			answer: "permessage-deflate; server_max_window_bits=10",
			want:   &Deflate{false, false, 10, 15},
		},
		{
			name:   "client_max_window_bits not offered: never answered",
			opts:   DeflateOptions{ContextTakeover: true, PeerMaxWindowBits: 10},
			offer:  []string{"permessage-deflate"},
			answer: "permessage-deflate",
			want:   deflate15(false, false),
		},
		{
			name:   "bare client_max_window_bits, no limit of ours",
			opts:   DeflateOptions{ContextTakeover: true},
			offer:  []string{"permessage-deflate; client_max_window_bits"},
			answer: "permessage-deflate",
			want:   deflate15(false, false),
		},
		{
			name:   "bare client_max_window_bits, our limit",
			opts:   DeflateOptions{ContextTakeover: true, PeerMaxWindowBits: 10},
			offer:  []string{"permessage-deflate; client_max_window_bits"},
			answer: "permessage-deflate; client_max_window_bits=10",
			want:   &Deflate{false, false, 15, 10},
		},
		{
			name:   "our limit of 15 is no limit",
			opts:   DeflateOptions{ContextTakeover: true, PeerMaxWindowBits: 15},
			offer:  []string{"permessage-deflate; client_max_window_bits"},
			answer: "permessage-deflate",
			want:   deflate15(false, false),
		},
		{
			name:   "we never ask for 8",
			opts:   DeflateOptions{ContextTakeover: true, PeerMaxWindowBits: 8},
			offer:  []string{"permessage-deflate; client_max_window_bits"},
			answer: "permessage-deflate; client_max_window_bits=9",
			want:   &Deflate{false, false, 15, 9},
		},
		{
			name:   "client's value below our limit is kept",
			opts:   DeflateOptions{ContextTakeover: true, PeerMaxWindowBits: 12},
			offer:  []string{"permessage-deflate; client_max_window_bits=10"},
			answer: "permessage-deflate; client_max_window_bits=10",
			want:   &Deflate{false, false, 15, 10},
		},
		{
			name:   "client's own 8 is kept",
			opts:   DeflateOptions{ContextTakeover: true, PeerMaxWindowBits: 12},
			offer:  []string{"permessage-deflate; client_max_window_bits=8"},
			answer: "permessage-deflate; client_max_window_bits=8",
			want:   &Deflate{false, false, 15, 8},
		},
		{
			name:   "client's value above our limit is lowered",
			opts:   DeflateOptions{ContextTakeover: true, PeerMaxWindowBits: 11},
			offer:  []string{"permessage-deflate; client_max_window_bits=13"},
			answer: "permessage-deflate; client_max_window_bits=11",
			want:   &Deflate{false, false, 15, 11},
		},
		{
			name:   "client's value, no limit of ours: not answered",
			opts:   DeflateOptions{ContextTakeover: true},
			offer:  []string{"permessage-deflate; client_max_window_bits=10"},
			answer: "permessage-deflate",
			want:   deflate15(false, false),
		},
	}
	// "A server accepts an extension negotiation offer with this parameter
	// by including the "server_max_window_bits" extension parameter in the
	// extension negotiation response to send back to the client with the
	// same or smaller value as the offer." (§7.1.2.1) We honour every one.
	for bits := 8; bits <= 15; bits++ {
		v := strconv.Itoa(bits)
		tests = append(tests, negotiationCase{
			name:   "server_max_window_bits=" + v,
			opts:   DeflateOptions{ContextTakeover: true},
			offer:  []string{"permessage-deflate; server_max_window_bits=" + v},
			answer: "permessage-deflate; server_max_window_bits=" + v,
			want:   &Deflate{false, false, bits, 15},
		})
	}
	runNegotiation(t, tests)
}

// Offers that browsers, libraries and the Autobahn testsuite send.
func TestNegotiateKnownClients(t *testing.T) {
	const (
		// Autobahn's PerMessageDeflateOffer puts client_no_context_takeover
		// and a bare client_max_window_bits in every 13.x offer.
		ab     = "permessage-deflate; client_no_context_takeover; client_max_window_bits"
		ab13_1 = ab
		ab13_2 = ab + "; server_no_context_takeover"
		ab13_3 = ab + "; server_max_window_bits=9"
		ab13_4 = ab + "; server_max_window_bits=15"
		ab13_5 = ab + "; server_no_context_takeover; server_max_window_bits=9"
		ab13_6 = ab + "; server_no_context_takeover; server_max_window_bits=15"
		ab13_7 = ab13_5 + ", " + ab13_2 + ", " + ab13_1
	)
	runNegotiation(t, []negotiationCase{
		{
			// Node's ws and Python's websockets offer the same by default.
			name:   "Chromium",
			offer:  []string{"permessage-deflate; client_max_window_bits"},
			answer: "permessage-deflate; server_no_context_takeover",
			want:   deflate15(true, false),
		},
		{
			name:   "Chromium, a limit of ours",
			opts:   DeflateOptions{PeerMaxWindowBits: 12, PeerNoContextTakeover: true},
			offer:  []string{"permessage-deflate; client_max_window_bits"},
			answer: "permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=12",
			want:   &Deflate{true, true, 15, 12},
		},
		{
			name:   "Firefox",
			offer:  []string{"permessage-deflate"},
			answer: "permessage-deflate; server_no_context_takeover",
			want:   deflate15(true, false),
		},
		{
			name:   "Firefox, a limit of ours cannot be asked",
			opts:   DeflateOptions{PeerMaxWindowBits: 10},
			offer:  []string{"permessage-deflate"},
			answer: "permessage-deflate; server_no_context_takeover",
			want:   deflate15(true, false),
		},
		{name: "Autobahn 13.1", offer: []string{ab13_1}, answer: "permessage-deflate; server_no_context_takeover", want: deflate15(true, false)},
		{name: "Autobahn 13.2", offer: []string{ab13_2}, answer: "permessage-deflate; server_no_context_takeover", want: deflate15(true, false)},
		{
			name:   "Autobahn 13.3",
			offer:  []string{ab13_3},
			answer: "permessage-deflate; server_no_context_takeover; server_max_window_bits=9",
			want:   &Deflate{true, false, 9, 15},
		},
		{
			name:   "Autobahn 13.4",
			offer:  []string{ab13_4},
			answer: "permessage-deflate; server_no_context_takeover; server_max_window_bits=15",
			want:   deflate15(true, false),
		},
		{
			name:   "Autobahn 13.5",
			offer:  []string{ab13_5},
			answer: "permessage-deflate; server_no_context_takeover; server_max_window_bits=9",
			want:   &Deflate{true, false, 9, 15},
		},
		{
			name:   "Autobahn 13.6",
			offer:  []string{ab13_6},
			answer: "permessage-deflate; server_no_context_takeover; server_max_window_bits=15",
			want:   deflate15(true, false),
		},
		{
			name:   "Autobahn 13.7, the first of three offers",
			offer:  []string{ab13_7},
			answer: "permessage-deflate; server_no_context_takeover; server_max_window_bits=9",
			want:   &Deflate{true, false, 9, 15},
		},
		{
			name:   "Autobahn 13.1, context takeover both ways",
			opts:   DeflateOptions{ContextTakeover: true},
			offer:  []string{ab13_1},
			answer: "permessage-deflate",
			want:   deflate15(false, false),
		},
		{
			name:   "Autobahn 13.3, client asked not to take over",
			opts:   DeflateOptions{PeerNoContextTakeover: true},
			offer:  []string{ab13_3},
			answer: "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9",
			want:   &Deflate{true, true, 9, 15},
		},
		{
			name:   "Autobahn 13.6, a limit of ours",
			opts:   DeflateOptions{ContextTakeover: true, PeerMaxWindowBits: 9},
			offer:  []string{ab13_6},
			answer: "permessage-deflate; server_no_context_takeover; server_max_window_bits=15; client_max_window_bits=9",
			want:   &Deflate{true, false, 15, 9},
		},
	})
}

// Without ServerOptions.Deflate, offers are ignored.
func TestNegotiateOff(t *testing.T) {
	d, exts := negotiateDeflate([]string{"permessage-deflate"}, nil)
	if d != nil || exts != nil {
		t.Errorf("negotiateDeflate with nil options = %+v, %v; want nothing", d, exts)
	}
}
