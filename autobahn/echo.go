package autobahn

import (
	"context"
	"net/http"

	"github.com/seed865a0254/websocket/conn"
)

// DefaultReadLimit is the read limit of the echo server and the client
// testee: section 9 sends messages of up to 16 MiB, so the library's 1 MiB
// default would fail it on purpose.
const DefaultReadLimit = 64 << 20

// EchoHandler returns the server under test: an http.Handler that accepts a
// WebSocket connection and sends every message back with the same type until
// the connection ends. A readLimit of 0 means DefaultReadLimit; comp, if not
// nil, accepts permessage-deflate with that policy (sections 12 and 13).
//
// The handler keeps the library's defaults otherwise (origin check included:
// the testsuite sends no Origin header), so the suite judges what users get.
func EchoHandler(readLimit int64, comp *conn.Compression) http.Handler {
	if readLimit == 0 {
		readLimit = DefaultReadLimit
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := conn.Accept(w, r, &conn.AcceptOptions{ReadLimit: readLimit, Compression: comp})
		if err != nil {
			return // Accept has answered the HTTP request
		}
		echo(r.Context(), ws)
	})
}

// echo sends every message received on ws back with the same type, until the
// connection ends, then closes it (a no-op when the connection has already
// finished, which is how it normally ends: the peer closes, or breaks the
// protocol and conn fails the connection with the right code).
func echo(ctx context.Context, ws *conn.Conn) {
	defer ws.Close(conn.StatusNormalClosure, "")
	for {
		msg, err := ws.Receive(ctx)
		if err != nil {
			return
		}
		if err := ws.Send(ctx, msg.Type, msg.Data); err != nil {
			return
		}
		msg.Release() // Send keeps nothing of msg.Data: the buffer serves a later message
	}
}
