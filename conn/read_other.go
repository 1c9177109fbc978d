//go:build !unix

package conn

// initRaw does nothing here: the owner of the reading waits in a read into
// the small buffer.
func (c *Conn) initRaw() {}
