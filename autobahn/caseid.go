package autobahn

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// CompareCaseIDs orders case numbers the way the testsuite numbers them:
// field by field, numerically, so "1.1.2" < "1.1.10" < "1.2.1" < "10.1.1".
// A field that is not a number sorts after the numbers, by text. It returns
// -1, 0 or +1 like cmp.Compare.
func CompareCaseIDs(a, b string) int {
	for a != "" || b != "" {
		if a == "" {
			return -1
		}
		if b == "" {
			return 1
		}
		var fa, fb string
		fa, a, _ = strings.Cut(a, ".")
		fb, b, _ = strings.Cut(b, ".")
		na, errA := strconv.ParseUint(fa, 10, 64)
		nb, errB := strconv.ParseUint(fb, 10, 64)
		switch {
		case errA == nil && errB == nil:
			if c := cmp.Compare(na, nb); c != 0 {
				return c
			}
		case errA == nil:
			return -1
		case errB == nil:
			return 1
		default:
			if c := strings.Compare(fa, fb); c != 0 {
				return c
			}
		}
	}
	return 0
}

// SortResults sorts results by case number (CompareCaseIDs).
func SortResults(rs []Result) {
	slices.SortStableFunc(rs, func(x, y Result) int { return CompareCaseIDs(x.ID, y.ID) })
}

// MatchCase reports whether case id matches pattern with the testsuite's
// rules for "cases" and "exclude-cases": a pattern without '*' names one case
// exactly; in a pattern with '*', the star stands for any text and the
// pattern must match a prefix of the id ("1.*" matches "1.1.1", not "10.1").
func MatchCase(pattern, id string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == id
	}
	parts := strings.Split(pattern, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re, err := regexp.Compile("^" + strings.Join(parts, ".*"))
	if err != nil {
		return false // unreachable: the expression is built from quoted text
	}
	return re.MatchString(id)
}

// Selected reports whether case id is selected by the include patterns and
// not removed by the exclude patterns, as the testsuite decides which cases
// to run.
func Selected(id string, include, exclude []string) bool {
	in := false
	for _, p := range include {
		if MatchCase(p, id) {
			in = true
			break
		}
	}
	if !in {
		return false
	}
	for _, p := range exclude {
		if MatchCase(p, id) {
			return false
		}
	}
	return true
}
