package handshake

import (
	"fmt"
	"strconv"
)

// Deflate is a permessage-deflate agreement (RFC 7692 §7.1): what each
// side's compressor may do. A side may do less than it is allowed to: a
// compressor that keeps no context, or uses a smaller window, produces
// messages every agreement can decode.
//
// Accept reports what its answer told the client; Dial reports what the
// answer allowed together with what the offer promised (a client that offered
// client_no_context_takeover keeps to it even if the server did not answer
// it, RFC 7692 §7.1.1.2). The two can differ only there: the server may then
// keep a decompression window that the client never uses.
type Deflate struct {
	ServerNoContextTakeover bool // the server compresses each message on its own
	ClientNoContextTakeover bool // the client compresses each message on its own
	ServerMaxWindowBits     int  // 8..15, the server's LZ77 window; 15 when not negotiated
	ClientMaxWindowBits     int  // 8..15, the client's LZ77 window; 15 when not negotiated
}

// DeflateOptions turns permessage-deflate negotiation on and sets the
// policy. Where it is nil, Accept ignores offers and Dial offers nothing.
//
// A server answers the first valid offer (RFC 7692 §5, §7) within what the
// client offered. It honours any window the client asks for, 8 bits
// included. A client offers one permessage-deflate element, with a bare
// client_max_window_bits, and fails the handshake on an answer the offer did
// not allow.
type DeflateOptions struct {
	// ContextTakeover lets our own compressor keep its context between
	// messages when the agreement allows it. When false (the default), we
	// declare that our side compresses each message on its own: a server
	// answers server_no_context_takeover, which it may add to any answer
	// (RFC 7692 §7.1.1.1); a client offers client_no_context_takeover (a
	// promise, §7.1.1.2). Compressors can then be shared between
	// connections.
	ContextTakeover bool
	// PeerNoContextTakeover asks the peer to compress each message on its
	// own, so that we keep no decompression window between messages. A
	// server answers client_no_context_takeover, which it may add to any
	// answer (RFC 7692 §7.1.1.2); a client offers server_no_context_takeover,
	// and a server that accepts the offer must answer it (§7.1.1.1).
	//
	// A server that leaves it false does not answer the
	// client_no_context_takeover a client may have offered, and keeps a
	// decompression window: some clients (Autobahn's) offer it and then
	// use context takeover unless the answer repeats it.
	PeerNoContextTakeover bool
	// PeerMaxWindowBits is the largest LZ77 window, in bits (0 or 8..15; 0
	// means 15), that we ask the peer to compress with. A server asks with
	// client_max_window_bits, and only when the client offered that
	// parameter (RFC 7692 §7.1.2.2); a client asks with
	// server_max_window_bits in its offer (§7.1.2.1). 8 is asked as 9: zlib,
	// on which most peers build, cannot compress raw deflate with an 8-bit
	// window. A smaller window bounds how far back the peer's messages
	// refer, and so the history a decompressor must keep between messages
	// under context takeover.
	PeerMaxWindowBits int
}

// The permessage-deflate extension and its parameters (RFC 7692 §7).
const (
	deflateName             = "permessage-deflate"
	serverNoContextTakeover = "server_no_context_takeover"
	clientNoContextTakeover = "client_no_context_takeover"
	serverMaxWindowBits     = "server_max_window_bits"
	clientMaxWindowBits     = "client_max_window_bits"

	// maxWindowBits is the window of an agreement that sets none: "an LZ77
	// sliding window of up to 32,768 bytes" (RFC 7692 §7.1.2.1, §7.1.2.2).
	maxWindowBits = 15
	// minAskedBits is the smallest window we ask a peer for.
	minAskedBits = 9
)

// check reports a misconfiguration. A nil *DeflateOptions is valid.
func (o *DeflateOptions) check() error {
	if o == nil {
		return nil
	}
	if b := o.PeerMaxWindowBits; b != 0 && (b < 8 || b > maxWindowBits) {
		return fmt.Errorf("handshake: DeflateOptions.PeerMaxWindowBits is %d, want 0 or 8..15", b)
	}
	return nil
}

// peerBits is the window we ask the peer for: PeerMaxWindowBits, 15 for 0,
// and never less than minAskedBits.
func (o *DeflateOptions) peerBits() int {
	switch b := o.PeerMaxWindowBits; {
	case b == 0:
		return maxWindowBits
	case b < minAskedBits:
		return minAskedBits
	default:
		return b
	}
}

// deflateParams are the parameters of one permessage-deflate element, an
// offer or an answer, once checked.
type deflateParams struct {
	serverNoTakeover bool // server_no_context_takeover
	clientNoTakeover bool // client_no_context_takeover
	serverBits       int  // server_max_window_bits; 0 when absent
	clientBitsSent   bool // client_max_window_bits, with or without a value
	clientBits       int  // its value; 0 when absent or given without one
}

// parseDeflateParams checks the parameters of one permessage-deflate
// element: an offer, where client_max_window_bits may come without a value,
// or an answer, where it may not.
//
// "A server MUST decline an extension negotiation offer for this extension
// if any of the following conditions are met: The negotiation offer
// contains an extension parameter not defined for use in an offer. The
// negotiation offer contains an extension parameter with an invalid value.
// The negotiation offer contains multiple extension parameters with the
// same name." "A client MUST _Fail the WebSocket Connection_ if the peer
// server accepted an extension negotiation offer for this extension with an
// extension negotiation response meeting any of the following conditions:
// The negotiation response contains an extension parameter not defined for
// use in a response. The negotiation response contains an extension
// parameter with an invalid value. The negotiation response contains
// multiple extension parameters with the same name." (RFC 7692 §7) The four
// parameters are defined for offers and answers alike.
func parseDeflateParams(params []Param, offer bool) (deflateParams, error) {
	var d deflateParams
	for _, p := range params {
		var dup bool
		switch p.Name {
		case serverNoContextTakeover, clientNoContextTakeover:
			flag := &d.serverNoTakeover
			if p.Name == clientNoContextTakeover {
				flag = &d.clientNoTakeover
			}
			dup = *flag
			*flag = true
			// "This extension parameter has no value." (§7.1.1.1, §7.1.1.2)
			if p.Value != "" {
				return d, fmt.Errorf("%s has a value", p.Name)
			}
		case serverMaxWindowBits:
			dup = d.serverBits != 0
			// "This parameter has a decimal integer value without leading
			// zeroes between 8 to 15, inclusive" (§7.1.2.1), in the offer
			// and in the response.
			var ok bool
			if d.serverBits, ok = parseWindowBits(p.Value); !ok {
				return d, fmt.Errorf("%s=%q is not 8..15", p.Name, p.Value)
			}
		case clientMaxWindowBits:
			dup = d.clientBitsSent
			d.clientBitsSent = true
			// In an offer, "This parameter has no value or a decimal integer
			// value without leading zeroes between 8 to 15 inclusive"; in a
			// response, it "has a decimal integer value without leading
			// zeroes between 8 to 15 inclusive" (§7.1.2.2).
			if p.Value == "" && offer {
				break
			}
			var ok bool
			if d.clientBits, ok = parseWindowBits(p.Value); !ok {
				return d, fmt.Errorf("%s=%q is not 8..15", p.Name, p.Value)
			}
		default:
			return d, fmt.Errorf("unknown parameter %s", p.Name)
		}
		if dup {
			return d, fmt.Errorf("%s appears twice", p.Name)
		}
	}
	return d, nil
}

// parseWindowBits parses "8" to "15", without sign or leading zero (the
// ABNF is 1*DIGIT, and §7.1.2.1 rules out leading zeroes).
func parseWindowBits(v string) (int, bool) {
	switch {
	case len(v) == 1 && (v[0] == '8' || v[0] == '9'):
		return int(v[0] - '0'), true
	case len(v) == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5':
		return 10 + int(v[1]-'0'), true
	}
	return 0, false
}

// extension returns d as a Sec-WebSocket-Extensions element.
func (d deflateParams) extension() Extension {
	e := Extension{Name: deflateName}
	if d.serverNoTakeover {
		e.Params = append(e.Params, Param{Name: serverNoContextTakeover})
	}
	if d.clientNoTakeover {
		e.Params = append(e.Params, Param{Name: clientNoContextTakeover})
	}
	if d.serverBits != 0 {
		e.Params = append(e.Params, Param{serverMaxWindowBits, strconv.Itoa(d.serverBits)})
	}
	if d.clientBitsSent {
		p := Param{Name: clientMaxWindowBits}
		if d.clientBits != 0 {
			p.Value = strconv.Itoa(d.clientBits)
		}
		e.Params = append(e.Params, p)
	}
	return e
}

// orMax is bits, or 15 for 0 (not negotiated).
func orMax(bits int) int {
	if bits == 0 {
		return maxWindowBits
	}
	return bits
}

// appendExtensionsHeader appends a Sec-WebSocket-Extensions line listing
// exts, or nothing when there are none. Every value must be a token.
func appendExtensionsHeader(b []byte, exts []Extension) []byte {
	if len(exts) == 0 {
		return b
	}
	b = append(b, "Sec-WebSocket-Extensions: "...)
	for i, e := range exts {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, e.Name...)
		for _, p := range e.Params {
			b = append(b, "; "...)
			b = append(b, p.Name...)
			if p.Value != "" {
				b = append(b, '=')
				b = append(b, p.Value...)
			}
		}
	}
	return append(b, "\r\n"...)
}
