package autobahn

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFindEngineExplicit(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "wstest")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Run("flag", func(t *testing.T) {
		t.Setenv(WstestEnv, "")
		e, err := FindEngine(context.Background(), fake)
		if err != nil || e.Wstest != fake {
			t.Errorf("FindEngine(flag) = %+v, %v; want wstest %s", e, err, fake)
		}
	})
	t.Run("env", func(t *testing.T) {
		t.Setenv(WstestEnv, fake)
		e, err := FindEngine(context.Background(), "")
		if err != nil || e.Wstest != fake {
			t.Errorf("FindEngine(env) = %+v, %v; want wstest %s", e, err, fake)
		}
	})
	t.Run("flag wins over env", func(t *testing.T) {
		t.Setenv(WstestEnv, filepath.Join(dir, "other"))
		e, err := FindEngine(context.Background(), fake)
		if err != nil || e.Wstest != fake {
			t.Errorf("FindEngine = %+v, %v; want wstest %s", e, err, fake)
		}
	})
	t.Run("missing command", func(t *testing.T) {
		t.Setenv(WstestEnv, "")
		if _, err := FindEngine(context.Background(), filepath.Join(dir, "absent")); err == nil {
			t.Error("FindEngine with a missing command succeeded")
		}
	})
	t.Run("nothing at all", func(t *testing.T) {
		t.Setenv(WstestEnv, "")
		t.Setenv("PATH", t.TempDir())
		_, err := FindEngine(context.Background(), "")
		if !errors.Is(err, ErrNoTestsuite) {
			t.Errorf("FindEngine with an empty PATH = %v, want ErrNoTestsuite", err)
		}
	})
}

func TestEngineCommand(t *testing.T) {
	t.Run("local", func(t *testing.T) {
		e := &Engine{Wstest: "/opt/wstest"}
		cmd, cleanup := e.command(context.Background(), "/tmp/out", "-m", "fuzzingclient")
		defer cleanup()
		if cmd.Path != "/opt/wstest" || cmd.Dir != "/tmp/out" || !slices.Equal(cmd.Args[1:], []string{"-m", "fuzzingclient"}) {
			t.Errorf("command = %s %v in %s", cmd.Path, cmd.Args, cmd.Dir)
		}
	})
	t.Run("docker", func(t *testing.T) {
		e := &Engine{}
		cmd, _ := e.command(context.Background(), "/tmp/out", "-m", "fuzzingserver", "-s", "spec.json")
		args := cmd.Args
		if filepath.Base(args[0]) != "docker" || args[1] != "run" {
			t.Fatalf("command = %v, want docker run", args)
		}
		for _, want := range [][]string{
			{"--network", "host"},
			{"-v", "/tmp/out:/autobahn"},
			{"-w", "/autobahn"},
			{DefaultImage, "wstest", "-m", "fuzzingserver", "-s", "spec.json"},
		} {
			if !containsRun(args, want) {
				t.Errorf("command %v lacks %v", args, want)
			}
		}
		if e.String() != "Docker image "+DefaultImage {
			t.Errorf("String() = %q", e.String())
		}
	})
}

// containsRun reports whether want appears in args as consecutive elements.
func containsRun(args, want []string) bool {
	for i := 0; i+len(want) <= len(args); i++ {
		if slices.Equal(args[i:i+len(want)], want) {
			return true
		}
	}
	return false
}
