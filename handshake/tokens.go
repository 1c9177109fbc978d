package handshake

import (
	"errors"
	"iter"
	"strings"
)

// The list grammar below is RFC 7230 §7 (the "#rule") with the token and
// quoted-string of RFC 7230 §3.2.6, as RFC 6455 §4.1 and §9.1 use them.
// Every parser makes one pass over its input: each byte is looked at a
// bounded number of times, so the cost is linear in the header size.

var (
	errSyntax       = errors.New("handshake: malformed header list")
	errEmptyList    = errors.New("handshake: empty header list")
	errQuotedToken  = errors.New("handshake: quoted extension parameter is not a token")
	errUnterminated = errors.New("handshake: unterminated quoted string")
)

// isTokenChar reports whether c is a tchar of RFC 7230 §3.2.6.
func isTokenChar(c byte) bool {
	return tokenTable[c]
}

var tokenTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// isToken reports whether s is a non-empty token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// isOWS reports whether c is optional whitespace (SP or HTAB).
func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// listScanner walks one header field value.
type listScanner struct {
	s string
	i int
}

func (p *listScanner) skipOWS() {
	for p.i < len(p.s) && isOWS(p.s[p.i]) {
		p.i++
	}
}

func (p *listScanner) done() bool { return p.i >= len(p.s) }

func (p *listScanner) peek() byte { return p.s[p.i] }

// token consumes a token and returns it, or "" when none starts here.
func (p *listScanner) token() string {
	start := p.i
	for p.i < len(p.s) && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// quoted consumes a quoted-string starting at the opening DQUOTE and
// returns its unescaped content.
func (p *listScanner) quoted() (string, error) {
	p.i++ // opening DQUOTE
	start := p.i
	var b *strings.Builder // only allocated when a quoted-pair is seen
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			if b == nil {
				return p.s[start : p.i-1], nil
			}
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.s) || !isQuotedPairChar(p.s[p.i+1]) {
				return "", errSyntax
			}
			if b == nil {
				b = new(strings.Builder)
				b.WriteString(p.s[start:p.i])
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case isQDText(c):
			if b != nil {
				b.WriteByte(c)
			}
			p.i++
		default:
			return "", errSyntax
		}
	}
	return "", errUnterminated
}

// isQDText: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text.
func isQDText(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E) || c >= 0x80
}

// isQuotedPairChar: quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ).
func isQuotedPairChar(c byte) bool {
	return c == '\t' || c == ' ' || (c >= 0x21 && c <= 0x7E) || c >= 0x80
}

// endElement consumes OWS and then either the end of the value or a comma.
func (p *listScanner) endElement() error {
	p.skipOWS()
	if p.done() {
		return nil
	}
	if p.peek() != ',' {
		return errSyntax
	}
	p.i++
	return nil
}

// scanList walks values (the lines of one header field, taken as one list)
// element by element: it skips empty elements, as RFC 7230 §7 allows, calls
// elem at the start of every other one, and then expects the element to end.
// A list with no element at all is errEmptyList.
func scanList(values []string, elem func(p *listScanner) error) error {
	n := 0
	for _, v := range values {
		p := listScanner{s: v}
		for {
			p.skipOWS()
			if p.done() {
				break
			}
			if p.peek() == ',' {
				p.i++
				continue
			}
			if err := elem(&p); err != nil {
				return err
			}
			n++
			if err := p.endElement(); err != nil {
				return err
			}
		}
	}
	if n == 0 {
		return errEmptyList
	}
	return nil
}

// parseTokenList parses values as 1#token, as Sec-WebSocket-Protocol
// requires (RFC 6455 §4.1, item 10; §11.3.4).
func parseTokenList(values []string) ([]string, error) {
	var out []string
	err := scanList(values, func(p *listScanner) error {
		t := p.token()
		if t == "" {
			return errSyntax
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// hasToken reports whether the list in values contains want, compared
// ASCII case-insensitively. It is meant for Connection and Upgrade, whose
// elements are matched whole: "keep-alive, Upgrade" contains "upgrade".
// Elements it does not understand are skipped, not rejected, as they are
// none of its business. It does not allocate.
func hasToken(values []string, want string) bool {
	for elem := range elements(values) {
		if equalFoldASCII(elem, want) {
			return true
		}
	}
	return false
}

// onlyToken reports whether the list in values holds want, compared ASCII
// case-insensitively, and nothing else (empty elements aside).
func onlyToken(values []string, want string) bool {
	seen := false
	for elem := range elements(values) {
		if elem == "" {
			continue
		}
		if !equalFoldASCII(elem, want) {
			return false
		}
		seen = true
	}
	return seen
}

// elements yields the comma-separated elements of the list in values, with
// the optional white space around them trimmed (empty elements included).
func elements(values []string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, v := range values {
			for v != "" {
				elem := v
				if i := strings.IndexByte(v, ','); i >= 0 {
					elem, v = v[:i], v[i+1:]
				} else {
					v = ""
				}
				if !yield(trimOWS(elem)) {
					return
				}
			}
		}
	}
}

func trimOWS(s string) string {
	for s != "" && isOWS(s[0]) {
		s = s[1:]
	}
	for s != "" && isOWS(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// parseExtensions parses values (the lines of one header field, taken as one
// list) with the grammar of RFC 6455 §9.1:
//
//	Sec-WebSocket-Extensions = extension-list
//	extension-list = 1#extension
//	extension = extension-token *( ";" extension-param )
//	extension-token = registered-token
//	registered-token = token
//	extension-param = token [ "=" (token | quoted-string) ]
//
// "When using the quoted-string syntax variant, the value after
// quoted-string unescaping MUST conform to the 'token' ABNF." (§9.1)
func parseExtensions(values []string) ([]Extension, error) {
	var out []Extension
	err := scanList(values, func(p *listScanner) error {
		ext, err := p.extension()
		out = append(out, ext)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// extension parses one extension with its parameters.
func (p *listScanner) extension() (Extension, error) {
	name := p.token()
	if name == "" {
		return Extension{}, errSyntax
	}
	ext := Extension{Name: name}
	for {
		p.skipOWS()
		if p.done() || p.peek() != ';' {
			return ext, nil
		}
		p.i++
		p.skipOWS()
		param := Param{Name: p.token()}
		if param.Name == "" {
			return ext, errSyntax
		}
		p.skipOWS()
		if !p.done() && p.peek() == '=' {
			p.i++
			p.skipOWS()
			val, err := p.paramValue()
			if err != nil {
				return ext, err
			}
			param.Value = val
		}
		ext.Params = append(ext.Params, param)
	}
}

// paramValue parses an extension parameter's value: a token, or a quoted
// string that unescapes to a token.
func (p *listScanner) paramValue() (string, error) {
	if p.done() {
		return "", errSyntax
	}
	if p.peek() != '"' {
		if v := p.token(); v != "" {
			return v, nil
		}
		return "", errSyntax
	}
	val, err := p.quoted()
	if err != nil {
		return "", err
	}
	if !isToken(val) {
		return "", errQuotedToken
	}
	return val, nil
}
