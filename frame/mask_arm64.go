//go:build !purego

package frame

// maskVectors masks the longest prefix of b that is a multiple of 64 bytes
// with NEON (every arm64 CPU has it) and returns its length; maskWords does
// the rest.
func maskVectors(b []byte, k uint64) int {
	if len(b) < 64 {
		return 0
	}
	return maskNEON(b, k)
}

//go:noescape
func maskNEON(b []byte, k uint64) int
