package autobahn

import (
	"slices"
	"testing"
)

func TestCompareCaseIDs(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{name: "equal", a: "1.1.1", b: "1.1.1", want: 0},
		{name: "numeric not textual", a: "1.1.2", b: "1.1.10", want: -1},
		{name: "numeric not textual reversed", a: "1.1.10", b: "1.1.2", want: 1},
		{name: "section before subsection", a: "1.1.10", b: "1.2.1", want: -1},
		{name: "two-digit section", a: "9.1.1", b: "10.1.1", want: -1},
		{name: "prefix first", a: "5", b: "5.1", want: -1},
		{name: "prefix first reversed", a: "5.1", b: "5", want: 1},
		{name: "number before text", a: "1.1", b: "1.x", want: -1},
		{name: "text fields by text", a: "1.b", b: "1.a", want: 1},
		{name: "empty first", a: "", b: "1", want: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CompareCaseIDs(tt.a, tt.b); got != tt.want {
				t.Errorf("CompareCaseIDs(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestSortResults(t *testing.T) {
	ids := []string{"10.1.1", "1.1.10", "2.1", "1.1.2", "12.1.1", "1.2.1", "1.1.1", "9.10.1", "9.2.1"}
	rs := make([]Result, len(ids))
	for i, id := range ids {
		rs[i] = Result{ID: id}
	}
	SortResults(rs)
	var got []string
	for _, r := range rs {
		got = append(got, r.ID)
	}
	want := []string{"1.1.1", "1.1.2", "1.1.10", "1.2.1", "2.1", "9.2.1", "9.10.1", "10.1.1", "12.1.1"}
	if !slices.Equal(got, want) {
		t.Errorf("sorted = %v, want %v", got, want)
	}
}

func TestMatchCase(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		id      string
		want    bool
	}{
		{name: "exact", pattern: "9.1.1", id: "9.1.1", want: true},
		{name: "exact is not prefix", pattern: "9.1", id: "9.1.1", want: false},
		{name: "section star", pattern: "1.*", id: "1.1.1", want: true},
		{name: "star does not cross digits", pattern: "1.*", id: "10.1.1", want: false},
		{name: "star section 12", pattern: "12.*", id: "12.2.10", want: true},
		{name: "dot is literal", pattern: "1.*", id: "1x1", want: false},
		{name: "star alone", pattern: "*", id: "7.13.2", want: true},
		{name: "star in the middle", pattern: "6.*.1", id: "6.4.1", want: true},
		{name: "prefix match after star", pattern: "6.*.1", id: "6.4.10", want: true},
		{name: "no match", pattern: "2.*", id: "3.1", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MatchCase(tt.pattern, tt.id); got != tt.want {
				t.Errorf("MatchCase(%q, %q) = %v, want %v", tt.pattern, tt.id, got, tt.want)
			}
		})
	}
}

func TestSelected(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{name: "framing", id: "1.1.1", want: true},
		{name: "limits", id: "9.1.6", want: true},
		{name: "auto-fragmentation", id: "10.1.1", want: true},
		{name: "deflate", id: "12.1.1", want: true},
		{name: "deflate parameters", id: "13.7.18", want: true},
		{name: "no such section", id: "8.1", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Selected(tt.id, DefaultCases, DefaultExclude); got != tt.want {
				t.Errorf("Selected(%q, defaults) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}
