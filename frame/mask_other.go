//go:build (!amd64 && !arm64) || purego

package frame

// maskVectors is the vector kernel's share of masking b; without one it
// leaves everything to maskWords.
func maskVectors(b []byte, k uint64) int { return 0 }
