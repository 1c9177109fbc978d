package handshake

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
)

// Param is one extension parameter; Value is empty for a parameter without a value.
type Param struct{ Name, Value string }

// Extension is one element of a Sec-WebSocket-Extensions list.
type Extension struct {
	Name   string
	Params []Param
}

// Result is a completed handshake.
type Result struct {
	Conn        net.Conn
	Buffered    []byte
	Subprotocol string
	Extensions  []Extension
}

// Error is a refused handshake with the HTTP status.
type Error struct {
	Status int
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("handshake: %d: %s", e.Status, e.Reason) }

// ServerOptions configures Accept.
type ServerOptions struct {
	Subprotocols            []string
	OriginPatterns          []string
	InsecureSkipOriginCheck bool
}

// ClientOptions configures Dial.
type ClientOptions struct {
	Header         http.Header
	Subprotocols   []string
	TLSConfig      *tls.Config
	NetDialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	Proxy          func(*http.Request) (*url.URL, error)
}

const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// ComputeAccept returns the Sec-WebSocket-Accept value for key.
func ComputeAccept(key string) string {
	h := sha1.Sum([]byte(key + acceptGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// NewKey returns a fresh Sec-WebSocket-Key read from rand.
func NewKey(rand io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return "", fmt.Errorf("handshake: reading key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b[:]), nil
}

var errNotYet = errors.New("handshake: not implemented yet")

// Accept upgrades the request.
func Accept(w http.ResponseWriter, r *http.Request, opts *ServerOptions) (*Result, error) {
	return nil, errNotYet
}

// Dial opens a client connection.
func Dial(ctx context.Context, rawURL string, opts *ClientOptions) (*Result, *http.Response, error) {
	return nil, nil, errNotYet
}

// CheckRequest validates an upgrade request.
func CheckRequest(r *http.Request) error { return errNotYet }

// CheckResponse validates an upgrade response.
func CheckResponse(resp *http.Response, key string) error { return errNotYet }
