//go:build !unix

package conn

// initRaw does nothing here: the reader waits in a read into its small
// buffer.
func (rd *reader) initRaw() {}
