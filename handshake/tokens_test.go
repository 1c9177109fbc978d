package handshake

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTokenList(t *testing.T) {
	tests := []struct {
		name    string
		values  []string
		want    []string
		wantErr bool
	}{
		{name: "one", values: []string{"chat"}, want: []string{"chat"}},
		{name: "list with OWS", values: []string{" chat ,\tsuperchat "}, want: []string{"chat", "superchat"}},
		{name: "empty elements skipped", values: []string{",chat,, ,superchat,"}, want: []string{"chat", "superchat"}},
		{name: "several lines are one list", values: []string{"a, b", "c"}, want: []string{"a", "b", "c"}},
		{name: "case kept", values: []string{"Chat"}, want: []string{"Chat"}},
		{name: "all tchars", values: []string{"!#$%&'*+-.^_`|~09azAZ"}, want: []string{"!#$%&'*+-.^_`|~09azAZ"}},
		{name: "empty", values: []string{""}, wantErr: true},
		{name: "only commas", values: []string{" , ,"}, wantErr: true},
		{name: "space inside", values: []string{"a b"}, wantErr: true},
		{name: "separator", values: []string{"a/b"}, wantErr: true},
		{name: "quoted", values: []string{`"a"`}, wantErr: true},
		{name: "non-ASCII", values: []string{"caf\xc3\xa9"}, wantErr: true},
		{name: "bad second line", values: []string{"a", "b;c"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTokenList(tt.values)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseTokenList(%q) error = %v, want error %v", tt.values, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseTokenList(%q) mismatch (-want +got):\n%s", tt.values, diff)
			}
		})
	}
}

func TestHasToken(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   string
		has    bool
		only   bool
	}{
		{name: "exact", values: []string{"Upgrade"}, want: "upgrade", has: true, only: true},
		{name: "in list", values: []string{"keep-alive, Upgrade"}, want: "upgrade", has: true},
		{name: "second line", values: []string{"keep-alive", " UPGRADE "}, want: "upgrade", has: true},
		{name: "empty elements", values: []string{",, websocket ,"}, want: "websocket", has: true, only: true},
		{name: "prefix is not a match", values: []string{"upgrades"}, want: "upgrade"},
		{name: "substring is not a match", values: []string{"x-upgrade-y"}, want: "upgrade"},
		{name: "absent", values: []string{"keep-alive"}, want: "upgrade"},
		{name: "none", want: "upgrade"},
		{name: "versioned protocol", values: []string{"websocket/13"}, want: "websocket"},
		{name: "two protocols", values: []string{"websocket, h2c"}, want: "websocket", has: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hasToken(tt.values, tt.want); got != tt.has {
				t.Errorf("hasToken(%q, %q) = %v, want %v", tt.values, tt.want, got, tt.has)
			}
			if got := onlyToken(tt.values, tt.want); got != tt.only {
				t.Errorf("onlyToken(%q, %q) = %v, want %v", tt.values, tt.want, got, tt.only)
			}
		})
	}
}

func TestParseExtensions(t *testing.T) {
	pmd := func(params ...Param) Extension { return Extension{Name: "permessage-deflate", Params: params} }
	tests := []struct {
		name    string
		values  []string
		want    []Extension
		wantErr bool
	}{
		{name: "bare", values: []string{"permessage-deflate"}, want: []Extension{pmd()}},
		{
			name:   "browser offer",
			values: []string{"permessage-deflate; client_max_window_bits"},
			want:   []Extension{pmd(Param{Name: "client_max_window_bits"})},
		},
		{
			name:   "values and OWS",
			values: []string{"permessage-deflate ;server_max_window_bits = 10 ; client_no_context_takeover"},
			want:   []Extension{pmd(Param{"server_max_window_bits", "10"}, Param{Name: "client_no_context_takeover"})},
		},
		{
			name:   "quoted value",
			values: []string{`permessage-deflate; server_max_window_bits="10"`},
			want:   []Extension{pmd(Param{"server_max_window_bits", "10"})},
		},
		{
			name:   "quoted-pair unescaped",
			values: []string{`x; a="1\0"`},
			want:   []Extension{{Name: "x", Params: []Param{{"a", "10"}}}},
		},
		{
			name:   "list over lines",
			values: []string{"a; p=1, b", "c"},
			want:   []Extension{{Name: "a", Params: []Param{{"p", "1"}}}, {Name: "b"}, {Name: "c"}},
		},
		{
			name:   "empty elements",
			values: []string{", a ,, b ,"},
			want:   []Extension{{Name: "a"}, {Name: "b"}},
		},
		{name: "empty", values: []string{""}, wantErr: true},
		{name: "no name", values: []string{"; p"}, wantErr: true},
		{name: "empty param", values: []string{"a;"}, wantErr: true},
		{name: "empty value", values: []string{"a; p="}, wantErr: true},
		{name: "empty quoted value", values: []string{`a; p=""`}, wantErr: true},
		{name: "quoted value not a token", values: []string{`a; p="1 0"`}, wantErr: true},
		{name: "comma in quoted value", values: []string{`a; p="x,y"`}, wantErr: true},
		{name: "unterminated quote", values: []string{`a; p="10`}, wantErr: true},
		{name: "backslash at end", values: []string{`a; p="10\`}, wantErr: true},
		{name: "quote in token position", values: []string{`"a"`}, wantErr: true},
		{name: "garbage after value", values: []string{"a; p=1 2"}, wantErr: true},
		{name: "garbage after name", values: []string{"a b"}, wantErr: true},
		{name: "control char", values: []string{"a; p=\x01"}, wantErr: true},
		{name: "quote split over lines", values: []string{`a; p="x`, `y"`}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseExtensions(tt.values)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseExtensions(%q) error = %v, want error %v", tt.values, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseExtensions(%q) mismatch (-want +got):\n%s", tt.values, diff)
			}
		})
	}
}

// formatExtensions writes exts back in the §9.1 syntax, quoting nothing
// (every value is a token).
func formatExtensions(exts []Extension) string {
	var b strings.Builder
	for i, e := range exts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.Name)
		for _, p := range e.Params {
			b.WriteString("; ")
			b.WriteString(p.Name)
			if p.Value != "" {
				b.WriteString("=")
				b.WriteString(p.Value)
			}
		}
	}
	return b.String()
}

func FuzzParseExtensions(f *testing.F) {
	for _, s := range []string{
		"permessage-deflate; client_max_window_bits",
		`permessage-deflate; server_max_window_bits="10"; client_no_context_takeover, x-webkit-deflate-frame`,
		`a; p="1\0"`, ", ,a;b=c", `a; p="`, "a;;", "\x00",
	} {
		f.Add(s, "b")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		exts, err := parseExtensions([]string{a, b})
		if err != nil {
			return
		}
		for _, e := range exts {
			if !isToken(e.Name) {
				t.Fatalf("name %q is not a token", e.Name)
			}
			for _, p := range e.Params {
				if !isToken(p.Name) || p.Value != "" && !isToken(p.Value) {
					t.Fatalf("param %+v is not made of tokens", p)
				}
			}
		}
		// Two lines are one list: the same as joining them with a comma.
		joined, err := parseExtensions([]string{a + "," + b})
		if err != nil || !cmp.Equal(joined, exts) {
			t.Fatalf("joined lines parse to %+v, %v; separate lines to %+v", joined, err, exts)
		}
		// What was parsed, written back, parses to the same.
		again, err := parseExtensions([]string{formatExtensions(exts)})
		if err != nil || !cmp.Equal(again, exts) {
			t.Fatalf("round trip of %+v gave %+v, %v", exts, again, err)
		}
	})
}

func FuzzParseTokenList(f *testing.F) {
	for _, s := range []string{"chat, superchat", ",,a,,", "a b", "Upgrade", "keep-alive, Upgrade", "\t"} {
		f.Add(s, "b")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		toks, err := parseTokenList([]string{a, b})
		if err != nil {
			return
		}
		for _, tok := range toks {
			if !isToken(tok) {
				t.Fatalf("%q is not a token", tok)
			}
			// Every element parsed is found by the lenient matcher.
			if !hasToken([]string{a, b}, strings.ToUpper(tok)) {
				t.Fatalf("hasToken misses %q in %q, %q", tok, a, b)
			}
		}
		again, err := parseTokenList([]string{strings.Join(toks, ", ")})
		if err != nil || !cmp.Equal(again, toks) {
			t.Fatalf("round trip of %q gave %q, %v", toks, again, err)
		}
		// The naive split agrees on valid input.
		var naive []string
		for _, e := range strings.Split(a+","+b, ",") {
			if e = strings.Trim(e, " \t"); e != "" {
				naive = append(naive, e)
			}
		}
		if !cmp.Equal(naive, toks) {
			t.Fatalf("naive split %q, parser %q", naive, toks)
		}
	})
}

// The parsers are linear: a header of many elements costs in proportion to
// its size. The yardstick is strings.Count over the same bytes.
func BenchmarkParseExtensions(b *testing.B) {
	for _, n := range []int{1, 16, 256} {
		s := strings.Repeat(`permessage-deflate; client_max_window_bits; server_max_window_bits="10", `, n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseExtensions([]string{s}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(strconv.Itoa(n)+"/yardstick-count", func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				if strings.Count(s, ";") == 0 {
					b.Fatal("no ;")
				}
			}
		})
	}
}

func BenchmarkHasToken(b *testing.B) {
	v := []string{"keep-alive, Upgrade"}
	b.ReportAllocs()
	for b.Loop() {
		if !hasToken(v, "upgrade") {
			b.Fatal("missing")
		}
	}
}
