package handshake

import "strings"

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

// validFieldValue reports whether v may be sent as a header field value.
// RFC 9110 §5.5:
//
//	field-value    = *field-content
//	field-content  = field-vchar
//	                 [ 1*( SP / HTAB / field-vchar ) field-vchar ]
//	field-vchar    = VCHAR / obs-text
//
// "Field values containing CR, LF, or NUL characters are invalid and
// dangerous" (they would end the field early and smuggle in another), and
// "Field values containing other CTL characters are also invalid". As
// net/http does (httpguts.ValidHeaderFieldValue), it refuses every control
// character but HTAB, and lets white space at the ends pass.
func validFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// removeZone returns the host (host or host:port, as in a URL) without an
// IPv6 zone: "[fe80::1%en0]:8080" becomes "[fe80::1]:8080". "An HTTP
// client, proxy, or other intermediary MUST remove any ZoneID attached to
// an outgoing URI, as it has only local significance at the sending host."
// (RFC 6874 §4)
func removeZone(host string) string {
	if !strings.HasPrefix(host, "[") {
		return host
	}
	end := strings.LastIndexByte(host, ']')
	if end < 0 {
		return host
	}
	zone := strings.LastIndexByte(host[:end], '%')
	if zone < 0 {
		return host
	}
	return host[:zone] + host[end:]
}
