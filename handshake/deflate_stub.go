package handshake

// Temporary: replaced by the negotiation (branch pmd-handshake).

type Deflate struct {
	ServerNoContextTakeover bool
	ClientNoContextTakeover bool
	ServerMaxWindowBits     int
	ClientMaxWindowBits     int
}

type DeflateOptions struct {
	ContextTakeover       bool
	PeerNoContextTakeover bool
	PeerMaxWindowBits     int
}
