package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// The README's Go examples are complete programs. Their sources live in
// testdata/readme so that the go tool can check them; this test keeps the
// README's code blocks identical to those files and type-checks them.
var readmeExamples = []string{
	"testdata/readme/server/main.go",
	"testdata/readme/client/main.go",
	"testdata/readme/broadcast/main.go",
	"testdata/readme/netconn/main.go",
}

var goBlock = regexp.MustCompile("(?ms)^```go\n(.*?)^```$")

func TestREADMEExamplesMatchSources(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlock.FindAllSubmatch(readme, -1)
	if len(blocks) != len(readmeExamples) {
		t.Fatalf("README has %d Go blocks, want %d (one per file in readmeExamples)", len(blocks), len(readmeExamples))
	}
	for i, path := range readmeExamples {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(blocks[i][1], src) {
			t.Errorf("README Go block %d differs from %s: copy the file into the README verbatim", i+1, path)
		}
	}
}

func TestREADMEExamplesCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go tool")
	}
	args := []string{"vet"}
	for _, path := range readmeExamples {
		args = append(args, "./"+filepath.Dir(path))
	}
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, out)
	}
}

func TestGoBlock(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{name: "one block", text: "x\n```go\npackage a\n```\ny\n", want: []string{"package a\n"}},
		{name: "two blocks", text: "```go\na\n```\n\n```go\nb\n```\n", want: []string{"a\n", "b\n"}},
		{name: "other languages are not Go", text: "```sh\ngo test ./...\n```\n", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range goBlock.FindAllStringSubmatch(tt.text, -1) {
				got = append(got, m[1])
			}
			if len(got) != len(tt.want) {
				t.Fatalf("blocks = %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("block %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
