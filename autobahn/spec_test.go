package autobahn

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestServerSpec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spec.json")
	if err := writeSpec(path, NewServerSpec("ours", "ws://127.0.0.1:9001", nil, nil)); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	readJSON(t, path, &got)
	want := map[string]any{
		"outdir":              "./reports/server",
		"servers":             []any{map[string]any{"agent": "ours", "url": "ws://127.0.0.1:9001"}},
		"cases":               []any{"1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "9.*", "10.*", "12.*", "13.*"},
		"exclude-cases":       []any{},
		"exclude-agent-cases": map[string]any{},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spec mismatch (-want +got):\n%s", diff)
	}
}

func TestClientSpec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spec.json")
	spec := NewClientSpec("ws://127.0.0.1:9002", []string{"9.*"}, []string{})
	if err := writeSpec(path, spec); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	readJSON(t, path, &got)
	want := map[string]any{
		"url":                 "ws://127.0.0.1:9002",
		"outdir":              "./reports/client",
		"cases":               []any{"9.*"},
		"exclude-cases":       []any{},
		"exclude-agent-cases": map[string]any{},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spec mismatch (-want +got):\n%s", diff)
	}
}

func TestSpecDefaultsNotShared(t *testing.T) {
	s := NewServerSpec("a", "ws://127.0.0.1:1", nil, nil)
	s.Cases[0] = "changed"
	s.ExcludeCases = append(s.ExcludeCases, "changed")
	if DefaultCases[0] != "1.*" || len(DefaultExclude) != 0 {
		t.Errorf("a spec shares its slices with the defaults: %v %v", DefaultCases, DefaultExclude)
	}
}

func TestWriteSpecError(t *testing.T) {
	if err := writeSpec(filepath.Join(t.TempDir(), "no", "such", "dir", "spec.json"), NewClientSpec("ws://127.0.0.1:1", nil, nil)); err == nil {
		t.Error("writeSpec into a missing directory succeeded")
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
