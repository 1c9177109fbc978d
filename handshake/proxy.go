package handshake

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
)

// ProxyError reports that the HTTP proxy refused to open the tunnel: its
// answer to CONNECT (RFC 9110 §9.3.6) was not 2xx. Dial returns it, and so
// does conn.Dial, wrapped or not: find it with errors.As.
type ProxyError struct {
	// Status is the proxy's status code: 407 (Proxy Authentication
	// Required) when it wants credentials, which go in the proxy URL's
	// user info.
	Status int
	// Response is the proxy's answer, with its headers (Proxy-Authenticate
	// for a 407); its Body holds at most the first 1 KiB of the body,
	// already read, and the connection is closed.
	Response *http.Response
}

// Error returns "handshake: proxy refused CONNECT: " and the status.
func (e *ProxyError) Error() string {
	return fmt.Sprintf("handshake: proxy refused CONNECT: %d %s", e.Status, http.StatusText(e.Status))
}

// proxyAddr returns host:port of the proxy.
func proxyAddr(p *url.URL) (string, error) {
	var port string
	switch p.Scheme {
	case "http", "":
		port = "80"
	case "https":
		port = "443"
	default:
		return "", fmt.Errorf("handshake: unsupported proxy scheme %q", p.Scheme)
	}
	if p.Hostname() == "" {
		return "", fmt.Errorf("handshake: proxy URL %q has no host", p.Redacted())
	}
	if p.Port() != "" {
		port = p.Port()
	}
	return net.JoinHostPort(p.Hostname(), port), nil
}

// connectProxy opens a tunnel to addr through the proxy reached on c, with
// HTTP CONNECT (RFC 9110 §9.3.6).
func connectProxy(ctx context.Context, c net.Conn, p *url.URL, addr string, base *tls.Config) (net.Conn, error) {
	if p.Scheme == "https" {
		tc := tls.Client(c, tlsConfig(base, p.Hostname()))
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, fmt.Errorf("handshake: TLS to proxy: %w", err)
		}
		c = tc
	}
	req := "CONNECT " + addr + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	if u := p.User; u != nil {
		pass, _ := u.Password()
		req += "Proxy-Authorization: Basic " + basicAuth(u.Username(), pass) + "\r\n"
	}
	req += "\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		return nil, fmt.Errorf("handshake: writing CONNECT: %w", err)
	}
	resp, buffered, err := readResponse(c, http.MethodConnect)
	if err != nil {
		return nil, fmt.Errorf("handshake: proxy: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		keepBody(resp)
		return nil, &ProxyError{Status: resp.StatusCode, Response: resp}
	}
	if len(buffered) > 0 {
		// Nothing should follow a CONNECT answer before we speak, but if it
		// does it belongs to the tunnel.
		c = &prefixConn{Conn: c, prefix: buffered}
	}
	return c, nil
}

func basicAuth(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

// prefixConn is a net.Conn that first returns prefix.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}
