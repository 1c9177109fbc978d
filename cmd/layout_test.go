// Package cmd_test enforces the import rules of DESIGN.md ("Layout and import
// direction") over the whole module: which of our packages may import which,
// and that non-test code imports nothing outside the standard library.
package cmd_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/seed865a0254/websocket"

// allowed lists, for each of our packages, the packages of ours it may import
// directly. A package missing from the table may import nothing of ours, unless
// it is a program (cmd/...), which may import anything of ours.
var allowed = map[string][]string{
	"frame":     nil,
	"handshake": nil,
	"queue":     nil,
	"ping":      nil,
	"conn":      {"frame", "handshake", "queue", "ping"},
	"autobahn":  {"conn", "frame", "handshake", "queue", "ping"},
	// Test-only packages (testOnlyPackages) import nothing of ours.
	"conn/internal/faultproxy": nil,
}

// testOnlyPackages are packages of ours that only tests may import.
var testOnlyPackages = []string{"conn/internal/faultproxy"}

// testOnlyModules are the modules outside the standard library that tests may use.
var testOnlyModules = []string{"github.com/google/go-cmp"}

// checkImport reports whether package from (a path inside the module, "" for
// the root) may import path to in non-test code. std tells whether to is in
// the standard library.
func checkImport(from, to string, std bool) error {
	if std {
		return nil
	}
	rel, ours := strings.CutPrefix(to, module+"/")
	if !ours {
		return fmt.Errorf("%s imports %s, which is outside the standard library", from, to)
	}
	for _, p := range testOnlyPackages {
		if rel == p {
			return fmt.Errorf("%s imports %s, which only tests may import", from, rel)
		}
	}
	if strings.HasPrefix(from, "cmd/") {
		return nil
	}
	if rel == from || strings.HasPrefix(rel, from+"/") {
		return nil // a package's own subpackages
	}
	rules, exact := allowed[from]
	if !exact {
		rules = allowed[topLevel(from)]
	}
	for _, ok := range rules {
		if rel == ok || strings.HasPrefix(rel, ok+"/") {
			return nil
		}
	}
	return fmt.Errorf("%s imports %s: not allowed by the layout rules", from, rel)
}

// checkTestImport reports whether a test file of from may import to.
func checkTestImport(from, to string, std bool) error {
	if std || strings.HasPrefix(to, module) {
		return nil
	}
	for _, m := range testOnlyModules {
		if to == m || strings.HasPrefix(to, m+"/") {
			return nil
		}
	}
	return fmt.Errorf("a test of %s imports %s, which is neither standard nor allowed in tests", from, to)
}

func topLevel(p string) string {
	top, _, _ := strings.Cut(p, "/")
	return top
}

func TestCheckImportRules(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		std      bool
		testOnly bool
		wantErr  bool
	}{
		{name: "frame may use the standard library", from: "frame", to: "bytes", std: true},
		{name: "frame may not import conn", from: "frame", to: module + "/conn", wantErr: true},
		{name: "frame may not import queue", from: "frame", to: module + "/queue", wantErr: true},
		{name: "queue may not import ping", from: "queue", to: module + "/ping", wantErr: true},
		{name: "handshake may not import frame", from: "handshake", to: module + "/frame", wantErr: true},
		{name: "conn may import frame", from: "conn", to: module + "/frame"},
		{name: "conn may import ping", from: "conn", to: module + "/ping"},
		{name: "conn may not import autobahn", from: "conn", to: module + "/autobahn", wantErr: true},
		{name: "ping may not import conn", from: "ping", to: module + "/conn", wantErr: true},
		{name: "autobahn may import conn", from: "autobahn", to: module + "/conn"},
		{name: "commands may import conn", from: "cmd/wsecho", to: module + "/conn"},
		{name: "commands may import autobahn", from: "cmd/autobahn", to: module + "/autobahn"},
		{name: "an unknown package may import nothing of ours", from: "extra", to: module + "/frame", wantErr: true},
		{name: "no third-party code outside tests", from: "conn", to: "github.com/google/go-cmp/cmp", wantErr: true},
		{name: "no third-party code in commands", from: "cmd/wsecho", to: "golang.org/x/net/websocket", wantErr: true},
		{name: "conn may not import the fault proxy", from: "conn", to: module + "/conn/internal/faultproxy", wantErr: true},
		{name: "commands may not import the fault proxy", from: "cmd/wsecho", to: module + "/conn/internal/faultproxy", wantErr: true},
		{name: "the fault proxy may not import frame", from: "conn/internal/faultproxy", to: module + "/frame", wantErr: true},
		{name: "the fault proxy may use the standard library", from: "conn/internal/faultproxy", to: "net", std: true},
		{name: "tests of conn may import the fault proxy", from: "conn", to: module + "/conn/internal/faultproxy", testOnly: true},
		{name: "go-cmp is allowed in tests", from: "conn", to: "github.com/google/go-cmp/cmp", testOnly: true},
		{name: "other modules are not allowed in tests", from: "conn", to: "github.com/gorilla/websocket", testOnly: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := checkImport
			if tt.testOnly {
				check = checkTestImport
			}
			err := check(tt.from, tt.to, tt.std)
			if (err != nil) != tt.wantErr {
				t.Fatalf("check(%q, %q) = %v, want error: %v", tt.from, tt.to, err, tt.wantErr)
			}
		})
	}
}

type listedPackage struct {
	ImportPath     string
	Dir            string
	GoFiles        []string
	IgnoredGoFiles []string // files left out by build constraints, tests included
	Standard       bool
	Imports        []string
	TestImports    []string
	XTestImports   []string
	Deps           []string
}

// TestImportRules checks every package of the module as go list sees it.
func TestImportRules(t *testing.T) {
	pkgs := goList(t, "./...")
	std := map[string]bool{}
	var deps []string
	for _, p := range pkgs {
		deps = append(deps, p.Deps...)
		deps = append(deps, p.TestImports...)
		deps = append(deps, p.XTestImports...)
	}
	for _, p := range goList(t, dedupe(deps)...) {
		std[p.ImportPath] = p.Standard
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	for _, p := range pkgs {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for _, imp := range p.Imports {
			if err := checkImport(rel, imp, std[imp]); err != nil {
				t.Error(err)
			}
		}
		// Indirect dependencies of non-test code must be standard too.
		for _, d := range p.Deps {
			if !std[d] && !strings.HasPrefix(d, module) {
				t.Errorf("%s depends on %s, which is outside the standard library", rel, d)
			}
		}
		for _, imp := range append(p.TestImports, p.XTestImports...) {
			if err := checkTestImport(rel, imp, std[imp]); err != nil {
				t.Error(err)
			}
		}
	}
}

func goList(t *testing.T, args ...string) []listedPackage {
	t.Helper()
	if len(args) == 0 {
		return nil
	}
	cmd := exec.Command("go", append([]string{"list", "-e", "-json=ImportPath,Dir,GoFiles,IgnoredGoFiles,Standard,Imports,TestImports,XTestImports,Deps"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] && v != "C" {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// sansIOForbidden are the packages that would give frame sockets, processes,
// clocks, randomness or locks (DESIGN.md: "frame and the protocol core are
// Sans-I/O: no sockets, goroutines, clocks or crypto/rand inside").
var sansIOForbidden = []string{
	"net", "net/http", "os", "os/exec", "syscall", "time",
	"crypto/rand", "math/rand", "math/rand/v2", "sync",
}

// sansIOViolations returns what in the Go source src (named name) breaks the
// Sans-I/O rule: a forbidden import or a go statement.
func sansIOViolations(name string, src any) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			return nil, err
		}
		for _, no := range sansIOForbidden {
			if path == no {
				bad = append(bad, fmt.Sprintf("%s imports %s", fset.Position(imp.Pos()), path))
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if g, ok := n.(*ast.GoStmt); ok {
			bad = append(bad, fmt.Sprintf("%s starts a goroutine", fset.Position(g.Pos())))
		}
		return true
	})
	return bad, nil
}

func TestSansIOViolations(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want int
	}{
		{name: "pure code passes", src: "package p\nimport \"bytes\"\nfunc f() { _ = bytes.Equal }\n"},
		{name: "a go statement fails", src: "package p\nfunc f() { go f() }\n", want: 1},
		{name: "a goroutine in a closure fails", src: "package p\nvar g = func() { go func() {}() }\n", want: 1},
		{name: "importing time fails", src: "package p\nimport \"time\"\nvar _ = time.Now\n", want: 1},
		{name: "importing math/rand/v2 under another name fails", src: "package p\nimport r \"math/rand/v2\"\nvar _ = r.N[int]\n", want: 1},
		{name: "importing sync and net fails twice", src: "package p\nimport (\"net\"; \"sync\")\nvar _ sync.Mutex\nvar _ net.Conn\n", want: 2},
		{name: "a package named like a forbidden one passes", src: "package p\nimport \"net/netip\"\nvar _ netip.Addr\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad, err := sansIOViolations("p.go", tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if len(bad) != tt.want {
				t.Fatalf("violations %q, want %d", bad, tt.want)
			}
		})
	}
}

// TestFrameIsSansIO holds package frame to the Sans-I/O rule: none of its
// non-test files, whatever their build constraints, imports a forbidden
// package or starts a goroutine.
func TestFrameIsSansIO(t *testing.T) {
	pkgs := goList(t, module+"/frame")
	if len(pkgs) != 1 || len(pkgs[0].GoFiles) == 0 {
		t.Fatalf("go list found no source files for frame: %+v", pkgs)
	}
	p := pkgs[0]
	for _, name := range append(p.GoFiles, p.IgnoredGoFiles...) {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		bad, err := sansIOViolations(filepath.Join(p.Dir, name), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bad {
			t.Errorf("frame is not Sans-I/O: %s", b)
		}
	}
}
