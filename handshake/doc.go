// Package handshake implements the WebSocket opening handshake of RFC 6455 §4.
package handshake
