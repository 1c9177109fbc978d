package handshake

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDeflateOffer(t *testing.T) {
	tests := []struct {
		name string
		opts *DeflateOptions
		want string
	}{
		{name: "off", opts: nil, want: ""},
		{
			// client_no_context_takeover: our own compressor keeps no context.
			name: "defaults",
			opts: &DeflateOptions{},
			want: "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; client_max_window_bits\r\n",
		},
		{
			// The same offer as Chromium's.
			name: "context takeover",
			opts: &DeflateOptions{ContextTakeover: true},
			want: "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
		},
		{
			name: "peer without context takeover",
			opts: &DeflateOptions{ContextTakeover: true, PeerNoContextTakeover: true},
			want: "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits\r\n",
		},
		{
			name: "peer window",
			opts: &DeflateOptions{PeerMaxWindowBits: 11},
			want: "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits\r\n",
		},
		{
			name: "8 is asked as 9",
			opts: &DeflateOptions{ContextTakeover: true, PeerMaxWindowBits: 8},
			want: "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9; client_max_window_bits\r\n",
		},
		{
			name: "15 is not asked",
			opts: &DeflateOptions{ContextTakeover: true, PeerMaxWindowBits: 15},
			want: "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
		},
		{
			name: "everything",
			opts: &DeflateOptions{PeerNoContextTakeover: true, PeerMaxWindowBits: 9},
			want: "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendDeflateOffer(nil, tt.opts)); got != tt.want {
				t.Errorf("offer = %q, want %q", got, tt.want)
			}
		})
	}
}

// answerCase is the server's Sec-WebSocket-Extensions (answer) to an offer
// made under opts (nil: no offer), and the agreement the client must reach,
// or wantErr when it must fail the handshake.
type answerCase struct {
	name    string
	opts    *DeflateOptions
	answer  []string
	want    *Deflate
	wantErr bool
}

func runAnswers(t *testing.T, tests []answerCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, exts, err := checkDeflateAnswer(tt.answer, tt.opts)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("answer %q to %+v accepted: %+v; want an error", tt.answer, tt.opts, d)
				}
				if d != nil || exts != nil {
					t.Errorf("failed answer returned %+v, %v", d, exts)
				}
				return
			}
			if err != nil {
				t.Fatalf("answer %q to %+v: %v", tt.answer, tt.opts, err)
			}
			if diff := cmp.Diff(tt.want, d); diff != "" {
				t.Errorf("agreement for %q mismatch (-want +got):\n%s", tt.answer, diff)
			}
			var wantExts []Extension
			if tt.want != nil {
				wantExts, _ = parseExtensions(tt.answer)
			}
			if diff := cmp.Diff(wantExts, exts); diff != "" {
				t.Errorf("extensions for %q mismatch (-want +got):\n%s", tt.answer, diff)
			}
		})
	}
}

// RFC 6455 §4.1 and RFC 7692 §5: which extensions an answer may hold.
func TestCheckAnswerExtensions(t *testing.T) {
	on := &DeflateOptions{}
	runAnswers(t, []answerCase{
		{name: "no header, no offer", opts: nil},
		{name: "no header: no compression", opts: on},
		{name: "empty list: no compression", opts: on, answer: []string{" , "}},
		{name: "not offered", opts: nil, answer: []string{"permessage-deflate"}, wantErr: true},
		{name: "another extension", opts: on, answer: []string{"x-foo"}, wantErr: true},
		{name: "another extension too", opts: on, answer: []string{"permessage-deflate, x-foo"}, wantErr: true},
		{name: "twice", opts: on, answer: []string{"permessage-deflate, permessage-deflate"}, wantErr: true},
		{name: "twice, over lines", opts: on, answer: []string{"permessage-deflate", "permessage-deflate"}, wantErr: true},
		{name: "name is case-sensitive", opts: on, answer: []string{"Permessage-Deflate"}, wantErr: true},
		{name: "malformed", opts: on, answer: []string{"permessage-deflate; x="}, wantErr: true},
		{name: "accepted", opts: on, answer: []string{"permessage-deflate"}, want: deflate15(false, true)},
	})
}

// RFC 7692 §7: "A client MUST _Fail the WebSocket Connection_ if" the
// answer holds a parameter that is unknown, repeated or has an invalid value.
func TestCheckAnswerParameters(t *testing.T) {
	var tests []answerCase
	for _, answer := range []string{
		"permessage-deflate; mystery",
		"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
		"permessage-deflate; client_no_context_takeover; client_no_context_takeover",
		"permessage-deflate; server_max_window_bits=10; server_max_window_bits=9",
		"permessage-deflate; client_max_window_bits=10; client_max_window_bits=10",
		"permessage-deflate; server_no_context_takeover=true",
		"permessage-deflate; client_no_context_takeover=1",
		"permessage-deflate; server_max_window_bits",
		"permessage-deflate; server_max_window_bits=7",
		"permessage-deflate; server_max_window_bits=16",
		"permessage-deflate; server_max_window_bits=09",
		"permessage-deflate; client_max_window_bits", // a response must give a value
		"permessage-deflate; client_max_window_bits=7",
		"permessage-deflate; client_max_window_bits=16",
		"permessage-deflate; client_max_window_bits=-9",
	} {
		tests = append(tests, answerCase{name: answer, opts: &DeflateOptions{}, answer: []string{answer}, wantErr: true})
	}
	runAnswers(t, tests)
}

// RFC 7692 §7.1.1.1 (server_no_context_takeover) and §7.1.1.2
// (client_no_context_takeover).
func TestCheckAnswerContextTakeover(t *testing.T) {
	runAnswers(t, []answerCase{
		{
			name:   "asked and answered",
			opts:   &DeflateOptions{PeerNoContextTakeover: true},
			answer: []string{"permessage-deflate; server_no_context_takeover"},
			want:   deflate15(true, true),
		},
		{
			name:    "asked and not answered",
			opts:    &DeflateOptions{PeerNoContextTakeover: true},
			answer:  []string{"permessage-deflate"},
			wantErr: true,
		},
		{
			name:   "server_no_context_takeover unasked",
			opts:   &DeflateOptions{ContextTakeover: true},
			answer: []string{"permessage-deflate; server_no_context_takeover"},
			want:   deflate15(true, false),
		},
		{
			name:   "client_no_context_takeover offered, not answered: kept",
			opts:   &DeflateOptions{},
			answer: []string{"permessage-deflate"},
			want:   deflate15(false, true),
		},
		{
			name:   "client_no_context_takeover not offered, answered",
			opts:   &DeflateOptions{ContextTakeover: true},
			answer: []string{"permessage-deflate; client_no_context_takeover"},
			want:   deflate15(false, true),
		},
		{
			name:   "context takeover both ways",
			opts:   &DeflateOptions{ContextTakeover: true},
			answer: []string{"permessage-deflate"},
			want:   deflate15(false, false),
		},
	})
}

// RFC 7692 §7.1.2.1 (server_max_window_bits) and §7.1.2.2
// (client_max_window_bits).
func TestCheckAnswerWindowBits(t *testing.T) {
	asked := &DeflateOptions{ContextTakeover: true, PeerMaxWindowBits: 10}
	free := &DeflateOptions{ContextTakeover: true}
	runAnswers(t, []answerCase{
		{name: "the window asked", opts: asked, answer: []string{"permessage-deflate; server_max_window_bits=10"}, want: &Deflate{false, false, 10, 15}},
		{name: "a smaller window", opts: asked, answer: []string{"permessage-deflate; server_max_window_bits=8"}, want: &Deflate{false, false, 8, 15}},
		{name: "quoted", opts: asked, answer: []string{`permessage-deflate; server_max_window_bits="9"`}, want: &Deflate{false, false, 9, 15}},
		{name: "a larger window", opts: asked, answer: []string{"permessage-deflate; server_max_window_bits=11"}, wantErr: true},
		{name: "asked and not answered", opts: asked, answer: []string{"permessage-deflate"}, wantErr: true},
		{name: "8 asked as 9, 9 answered", opts: &DeflateOptions{PeerMaxWindowBits: 8}, answer: []string{"permessage-deflate; server_max_window_bits=9"}, want: &Deflate{false, true, 9, 15}},
		{name: "server window unasked", opts: free, answer: []string{"permessage-deflate; server_max_window_bits=12"}, want: &Deflate{false, false, 12, 15}},
		{name: "client window", opts: free, answer: []string{"permessage-deflate; client_max_window_bits=11"}, want: &Deflate{false, false, 15, 11}},
		{name: "client window of 8", opts: free, answer: []string{"permessage-deflate; client_max_window_bits=8"}, want: &Deflate{false, false, 15, 8}},
		{name: "client window of 15", opts: free, answer: []string{"permessage-deflate; client_max_window_bits=15"}, want: deflate15(false, false)},
	})
}

// Answers that servers send to our offers.
func TestCheckAnswerKnownServers(t *testing.T) {
	runAnswers(t, []answerCase{
		{
			// ServerPerMessageDeflateFactory(server_max_window_bits=12,
			// client_max_window_bits=12), its default: it adds a server
			// window we did not ask for.
			name:   "Python websockets",
			opts:   &DeflateOptions{},
			answer: []string{"permessage-deflate; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=12"},
			want:   &Deflate{false, true, 12, 12},
		},
		{
			// It echoes the offer's parameters, less a bare
			// client_max_window_bits.
			name:   "Node ws, perMessageDeflate: true",
			opts:   &DeflateOptions{},
			answer: []string{"permessage-deflate; client_no_context_takeover"},
			want:   deflate15(false, true),
		},
		{
			// Like Autobahn's fuzzingserver in 13.x, which asks for the
			// client's window only when the offer held a bare
			// client_max_window_bits.
			name:   "Autobahn",
			opts:   &DeflateOptions{},
			answer: []string{"permessage-deflate; client_no_context_takeover; client_max_window_bits=9"},
			want:   &Deflate{false, true, 15, 9},
		},
		{
			name:   "gorilla/websocket",
			opts:   &DeflateOptions{},
			answer: []string{"permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
			want:   deflate15(true, true),
		},
	})
}
