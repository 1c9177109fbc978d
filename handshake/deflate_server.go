package handshake

// negotiateDeflate is the server's side: it answers the first valid
// permessage-deflate offer in values (the request's Sec-WebSocket-Extensions
// lines) under opts, and returns the agreement and the answer. It returns
// nil, nil when opts is nil or no offer is valid: the server then answers
// no extension, and the handshake goes on without compression.
func negotiateDeflate(values []string, opts *DeflateOptions) (*Deflate, []Extension) {
	if opts == nil || len(values) == 0 {
		return nil, nil
	}
	offers, err := parseExtensions(values)
	if err != nil {
		return nil, nil // CheckRequest refuses the request
	}
	// "The order of elements is important as it specifies the client's
	// preference. An element preceding another element has higher
	// preference. It is recommended that a server accepts PMCEs with higher
	// preference if the server supports them." (RFC 7692 §5)
	for _, ext := range offers {
		if ext.Name != deflateName {
			continue // we support no other extension
		}
		offer, err := parseDeflateParams(ext.Params, true)
		if err != nil {
			continue // declined (§7)
		}
		a := answerOffer(offer, opts)
		d := &Deflate{
			ServerNoContextTakeover: a.serverNoTakeover,
			ClientNoContextTakeover: a.clientNoTakeover,
			ServerMaxWindowBits:     orMax(a.serverBits),
			ClientMaxWindowBits:     orMax(a.clientBits),
		}
		return d, []Extension{a.extension()}
	}
	return nil, nil
}

// answerOffer returns the server's answer to a valid offer. Every offer is
// supported: our compressor honours every window, 8 bits included.
func answerOffer(offer deflateParams, opts *DeflateOptions) deflateParams {
	var a deflateParams
	// "A server accepts an extension negotiation offer that includes the
	// "server_no_context_takeover" extension parameter by including the
	// "server_no_context_takeover" extension parameter in the corresponding
	// extension negotiation response to send back to the client." and "A
	// server MAY include the "server_no_context_takeover" extension
	// parameter in an extension negotiation response even if the extension
	// negotiation offer being accepted by the extension negotiation response
	// didn't include the "server_no_context_takeover" extension parameter."
	// (§7.1.1.1)
	a.serverNoTakeover = offer.serverNoTakeover || !opts.ContextTakeover
	// "A server MAY include the "client_no_context_takeover" extension
	// parameter in an extension negotiation response. If the received
	// extension negotiation offer includes the "client_no_context_takeover"
	// extension parameter, the server may either ignore the parameter or use
	// the parameter to avoid taking over the LZ77 sliding window
	// unnecessarily by including the "client_no_context_takeover" extension
	// parameter in the corresponding extension negotiation response to the
	// offer." (§7.1.1.2) Not answering it, we keep the window: some clients
	// compress with context unless the answer says otherwise.
	a.clientNoTakeover = opts.PeerNoContextTakeover
	// "A server accepts an extension negotiation offer with this parameter
	// by including the "server_max_window_bits" extension parameter in the
	// extension negotiation response to send back to the client with the
	// same or smaller value as the offer." (§7.1.2.1) The same: below 15
	// bits, package conn compresses Huffman-only, whose output refers to no
	// earlier byte and so fits any window.
	a.serverBits = offer.serverBits
	// "If a received extension negotiation offer doesn't have the
	// "client_max_window_bits" extension parameter, the corresponding
	// extension negotiation response to the offer MUST NOT include the
	// "client_max_window_bits" extension parameter." "If the
	// "client_max_window_bits" extension parameter in a received extension
	// negotiation offer has a value, the server may either ignore this value
	// or use this value to avoid allocating an unnecessarily big LZ77
	// sliding window by including the "client_max_window_bits" extension
	// parameter in the corresponding extension negotiation response to the
	// offer with a value equal to or smaller than the received value."
	// (§7.1.2.2)
	if bits := opts.peerBits(); offer.clientBitsSent && bits < maxWindowBits {
		if offer.clientBits != 0 && offer.clientBits < bits {
			bits = offer.clientBits // the client's own figure, even 8
		}
		a.clientBitsSent, a.clientBits = true, bits
	}
	return a
}
