package handshake

import (
	"errors"
	"fmt"
)

// deflateOffer returns the offer a client makes under opts.
func deflateOffer(opts *DeflateOptions) deflateParams {
	o := deflateParams{
		// "By including this extension parameter in an extension
		// negotiation offer, a client prevents the peer server from using
		// context takeover." (§7.1.1.1)
		serverNoTakeover: opts.PeerNoContextTakeover,
		// "By including this extension parameter in an extension
		// negotiation offer, a client informs the peer server of a hint
		// that even if the server doesn't include the
		// "client_no_context_takeover" extension parameter in the
		// corresponding extension negotiation response to the offer, the
		// client is not going to use context takeover." (§7.1.1.2)
		clientNoTakeover: !opts.ContextTakeover,
		// "By including this parameter in an extension negotiation offer,
		// a client informs the peer server that the client supports the
		// "client_max_window_bits" extension parameter in an extension
		// negotiation response" (§7.1.2.2): we honour every window.
		clientBitsSent: true,
	}
	if bits := opts.peerBits(); bits < maxWindowBits {
		o.serverBits = bits
	}
	return o
}

// appendDeflateOffer appends the request's Sec-WebSocket-Extensions line
// for opts, or nothing when opts is nil.
func appendDeflateOffer(b []byte, opts *DeflateOptions) []byte {
	if opts == nil {
		return b
	}
	return appendExtensionsHeader(b, []Extension{deflateOffer(opts).extension()})
}

var errExtensionNotOffered = errors.New("the server selected an extension that was not offered")

// checkDeflateAnswer is the client's side: it checks the response's
// Sec-WebSocket-Extensions lines (values) against the offer made under opts
// (nil: none), and returns the agreement (nil: no compression) and the
// extensions as parsed. The error is a reason for an *Error.
func checkDeflateAnswer(values []string, opts *DeflateOptions) (*Deflate, []Extension, error) {
	if len(values) == 0 {
		return nil, nil, nil // no offer accepted: no compression (RFC 7692 §5)
	}
	exts, err := parseExtensions(values)
	if err == errEmptyList {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, errors.New("malformed Sec-WebSocket-Extensions")
	}
	// "If the response includes a |Sec-WebSocket-Extensions| header field
	// and this header field indicates the use of an extension that was not
	// present in the client's handshake (the server has indicated an
	// extension not requested by the client), the client MUST _Fail the
	// WebSocket Connection_." (RFC 6455 §4.1) We offer permessage-deflate
	// alone, or nothing.
	for _, e := range exts {
		if opts == nil || e.Name != deflateName {
			return nil, nil, errExtensionNotOffered
		}
	}
	// "A client that received a response accepting a PMCE extension
	// negotiation offer together with such an extension [one that conflicts
	// on the use of the RSV1 bit] MUST _Fail the WebSocket Connection_."
	// (RFC 7692 §5) A second permessage-deflate would claim RSV1 again.
	if len(exts) > 1 {
		return nil, nil, errors.New("the server accepted permessage-deflate more than once")
	}
	answer, err := parseDeflateParams(exts[0].Params, false)
	if err != nil {
		return nil, nil, fmt.Errorf("permessage-deflate answer: %w", err)
	}
	d, err := acceptAnswer(deflateOffer(opts), answer)
	if err != nil {
		return nil, nil, fmt.Errorf("permessage-deflate answer: %w", err)
	}
	return d, exts, nil
}

// acceptAnswer checks a well-formed answer against the offer and returns
// the agreement, where the client keeps to what its offer promised.
func acceptAnswer(offer, answer deflateParams) (*Deflate, error) {
	// "A server accepts an extension negotiation offer that includes the
	// "server_no_context_takeover" extension parameter by including the
	// "server_no_context_takeover" extension parameter in the corresponding
	// extension negotiation response" (§7.1.1.1): without it, the server
	// did not accept our offer, and may take over its context, which the
	// offer ruled out.
	if offer.serverNoTakeover && !answer.serverNoTakeover {
		return nil, errors.New("server_no_context_takeover was asked and not answered")
	}
	// "A server accepts an extension negotiation offer with this parameter
	// by including the "server_max_window_bits" extension parameter in the
	// extension negotiation response to send back to the client with the
	// same or smaller value as the offer." (§7.1.2.1) Unasked, the server
	// "MAY include" it with any value.
	if offer.serverBits != 0 {
		if answer.serverBits == 0 {
			return nil, errors.New("server_max_window_bits was asked and not answered")
		}
		if answer.serverBits > offer.serverBits {
			return nil, fmt.Errorf("server_max_window_bits=%d, more than the %d asked", answer.serverBits, offer.serverBits)
		}
	}
	// "If a received extension negotiation offer doesn't have the
	// "client_max_window_bits" extension parameter, the corresponding
	// extension negotiation response to the offer MUST NOT include the
	// "client_max_window_bits" extension parameter." (§7.1.2.2)
	if answer.clientBitsSent && !offer.clientBitsSent {
		return nil, errors.New("client_max_window_bits was not offered")
	}
	clientBits := orMax(answer.clientBits)
	if offer.clientBits != 0 && offer.clientBits < clientBits {
		clientBits = offer.clientBits // what the offer promised
	}
	return &Deflate{
		ServerNoContextTakeover: answer.serverNoTakeover,
		// "A client MUST support the "client_no_context_takeover" extension
		// parameter in an extension negotiation response." (§7.1.1.2) And
		// having offered it, the client "is not going to use context
		// takeover" whatever the answer.
		ClientNoContextTakeover: answer.clientNoTakeover || offer.clientNoTakeover,
		ServerMaxWindowBits:     orMax(answer.serverBits),
		ClientMaxWindowBits:     clientBits,
	}, nil
}
