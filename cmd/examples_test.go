package cmd_test

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// documented are the library's packages: every exported name in them has a
// runnable example (STYLE.md, "Docs"; issue 14, "every public name has an
// example").
var documented = []string{"conn", "frame", "handshake", "ping", "queue"}

// noExample lists, as "pkg.Name" or "pkg.Type.Method", the names allowed to
// have no example, each with the reason: a name whose only possible example
// would show nothing a reader can learn from. It is empty: every name of the
// library has found a use. A constant or variable needs no entry when an
// example of its package uses it (or, for a block, one of its names); see
// missingExamples.
var noExample = map[string]string{}

// missingExamples returns the exported names of the package in dir that have
// no example, as go doc associates examples with names: ExampleF for a
// function F, ExampleT for a type T, ExampleT_M for its method M, each with an
// optional _suffix. A constant or variable, which go doc gives no examples,
// counts as shown when an example of the package uses it; a block of them
// (one const or var declaration) when an example uses one of its names.
// Names are reported as "pkg.Name" or "pkg.Type.Method"; values lists the
// constants and variables among them.
func missingExamples(dir, importPath string) (missing, values []string, err error) {
	bp, err := build.ImportDir(dir, 0)
	if err != nil {
		return nil, nil, err
	}
	fset := token.NewFileSet()
	parse := func(names []string) ([]*ast.File, error) {
		var files []*ast.File
		for _, name := range names {
			f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
		return files, nil
	}
	src, err := parse(bp.GoFiles)
	if err != nil {
		return nil, nil, err
	}
	tests, err := parse(append(bp.TestGoFiles, bp.XTestGoFiles...))
	if err != nil {
		return nil, nil, err
	}
	used := usedInExamples(tests, bp.Name, importPath)
	p, err := doc.NewFromFiles(fset, append(src, tests...), importPath)
	if err != nil {
		return nil, nil, err
	}

	need := func(name string, examples []*doc.Example) {
		if len(examples) == 0 {
			missing = append(missing, p.Name+"."+name)
		}
	}
	checkValues := func(vs []*doc.Value) {
		for _, v := range vs {
			if !slices.ContainsFunc(v.Names, func(n string) bool { return used[n] }) {
				missing = append(missing, p.Name+"."+v.Names[0])
				values = append(values, p.Name+"."+v.Names[0])
			}
		}
	}
	checkValues(p.Consts)
	checkValues(p.Vars)
	for _, f := range p.Funcs {
		need(f.Name, f.Examples)
	}
	for _, t := range p.Types {
		need(t.Name, t.Examples)
		checkValues(t.Consts)
		checkValues(t.Vars)
		for _, f := range t.Funcs {
			need(f.Name, f.Examples)
		}
		for _, m := range t.Methods {
			need(t.Name+"."+m.Name, m.Examples)
		}
	}
	return missing, values, nil
}

// usedInExamples returns the names of package pkg (imported as importPath)
// that the Example functions of files refer to: pkg.Name in an external test
// package, Name in the package's own tests.
func usedInExamples(files []*ast.File, pkg, importPath string) map[string]bool {
	used := map[string]bool{}
	for _, f := range files {
		external := f.Name.Name != pkg
		local := pkg
		for _, imp := range f.Imports {
			if imp.Path.Value == `"`+importPath+`"` && imp.Name != nil {
				local = imp.Name.Name
			}
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Example") || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr:
					if x, ok := n.X.(*ast.Ident); ok && external && x.Name == local {
						used[n.Sel.Name] = true
					}
				case *ast.Ident:
					if !external {
						used[n.Name] = true
					}
				}
				return true
			})
		}
	}
	return used
}

// TestEveryNameHasAnExample fails for each exported name of the library's
// packages that has neither an example nor a reason in noExample, and for each
// entry of noExample that is no longer needed.
func TestEveryNameHasAnExample(t *testing.T) {
	stale := map[string]bool{}
	for name := range noExample {
		stale[name] = true
	}
	for _, pkg := range documented {
		missing, values, err := missingExamples(filepath.Join("..", pkg), module+"/"+pkg)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range missing {
			if _, ok := noExample[name]; ok {
				delete(stale, name)
				continue
			}
			if slices.Contains(values, name) {
				t.Errorf("%s (or its const or var block) is used by no example of %s", name, pkg)
				continue
			}
			t.Errorf("%s has no example (add Example%s to an example_test.go of %s)", name, exampleName(name), pkg)
		}
	}
	for name := range stale {
		t.Errorf("noExample lists %s, which has an example or no longer exists: remove the entry", name)
	}
}

// exampleRef is how documentation points to an example of a name: by its
// function name (a bare "Example" is left alone, as it is a common word).
var exampleRef = regexp.MustCompile(`\bExample[A-Z_]\w*`)

// danglingExampleRefs returns the example names that comments of the non-test
// files in dir mention and that no test file of dir defines, as
// "file:line: name".
func danglingExampleRefs(dir string) ([]string, error) {
	bp, err := build.ImportDir(dir, 0)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	defined := map[string]bool{}
	for _, name := range append(bp.TestGoFiles, bp.XTestGoFiles...) {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil {
				defined[fn.Name.Name] = true
			}
		}
	}
	var dangling []string
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				for _, ref := range exampleRef.FindAllString(c.Text, -1) {
					if !defined[ref] {
						dangling = append(dangling, fmt.Sprintf("%s: %s", fset.Position(c.Pos()), ref))
					}
				}
			}
		}
	}
	return dangling, nil
}

// TestDocExampleRefs fails when documentation sends the reader to an example
// that does not exist (renamed or removed).
func TestDocExampleRefs(t *testing.T) {
	for _, pkg := range documented {
		dangling, err := danglingExampleRefs(filepath.Join("..", pkg))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dangling {
			t.Errorf("%s: no such example", d)
		}
	}
}

// exampleName gives the Example function name go doc expects for a name
// reported by missingExamples: "conn.Conn.Send" becomes "Conn_Send".
func exampleName(name string) string {
	_, rest, _ := strings.Cut(name, ".")
	return strings.ReplaceAll(rest, ".", "_")
}

// TestMissingExamples runs missingExamples on a small package, so that the
// check above is known to find what it should.
func TestMissingExamples(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/p\n",
		"p.go": `// Package p is documented by ExampleT and ExampleGone.
package p

const Shown = 1

const (
	BlockA = iota
	BlockB // shown through BlockA
)

const Hidden = 2

var ErrHidden error

type T struct{}

func NewT() *T { return nil }
func (T) Shown()        {}
func (T) Hidden()       {}
func (T) unexported()   {}

type Kind int

const KindA Kind = 0

func F() {}
func G() {}
`,
		"example_test.go": `package p_test

import (
	"fmt"

	q "example.com/p"
)

func ExampleT() { fmt.Println(q.Shown, q.BlockA) }

func ExampleT_Shown_withSuffix() {}

func ExampleF_suffix() {}

func ExampleNewT() {}

func ExampleKind() {}
`,
		"internal_test.go": `package p

func ExampleG() { _ = KindA }
`,
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	got, values, err := missingExamples(dir, "example.com/p")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := []string{"p.ErrHidden", "p.Hidden", "p.T.Hidden"}
	if !slices.Equal(got, want) {
		t.Errorf("missingExamples = %q, want %q", got, want)
	}
	slices.Sort(values)
	if want := []string{"p.ErrHidden", "p.Hidden"}; !slices.Equal(values, want) {
		t.Errorf("missingExamples values = %q, want %q", values, want)
	}
	dangling, err := danglingExampleRefs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(dangling) != 1 || !strings.HasSuffix(dangling[0], ": ExampleGone") {
		t.Errorf("danglingExampleRefs = %q, want one: ExampleGone", dangling)
	}
	if got := exampleName("conn.Conn.Send"); got != "Conn_Send" {
		t.Errorf("exampleName = %q", got)
	}
}
