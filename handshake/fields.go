package handshake

// lowerASCII returns c in lower case if it is an ASCII letter, else c.
func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
