package handshake

// equalFoldASCII reports whether s and t are equal with ASCII letters
// compared case-insensitively. RFC 6455 compares its tokens "as an ASCII
// case-insensitive value" (§4.2.1, items 3 and 4; §4.1); strings.EqualFold
// folds Unicode, and takes the Kelvin sign (U+212A) for a 'k' and the long
// s (U+017F) for an 's'.
func equalFoldASCII(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lowerASCII(s[i]) != lowerASCII(t[i]) {
			return false
		}
	}
	return true
}

// lowerASCII returns c in lower case if it is an ASCII letter, else c.
func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
