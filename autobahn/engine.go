package autobahn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
)

// DefaultImage is the Docker image that runs the testsuite.
const DefaultImage = "crossbario/autobahn-testsuite"

// WstestEnv names the environment variable that points at a wstest command.
const WstestEnv = "AUTOBAHN_WSTEST"

// ErrNoTestsuite reports that neither a Docker engine nor a wstest command
// is available.
var ErrNoTestsuite = errors.New("autobahn: no testsuite: no Docker engine answers and no wstest command was found (install one, pass -wstest or set " + WstestEnv + ")")

// Engine runs the testsuite's wstest command, either directly or inside the
// testsuite's Docker image.
type Engine struct {
	// Wstest is the path of a local wstest command; empty means Docker.
	Wstest string
	// Image is the Docker image, DefaultImage when empty.
	Image string
}

// FindEngine chooses how to run the testsuite: the wstest command given (from
// a flag), else the one named by $AUTOBAHN_WSTEST, else Docker when
// "docker info" succeeds, else a wstest found in $PATH. It returns
// ErrNoTestsuite when there is none.
func FindEngine(ctx context.Context, wstest string) (*Engine, error) {
	if wstest == "" {
		wstest = os.Getenv(WstestEnv)
	}
	if wstest != "" {
		path, err := exec.LookPath(wstest)
		if err != nil {
			return nil, fmt.Errorf("autobahn: wstest command: %w", err)
		}
		return &Engine{Wstest: path}, nil
	}
	if dockerAnswers(ctx) {
		return &Engine{}, nil
	}
	if path, err := exec.LookPath("wstest"); err == nil {
		return &Engine{Wstest: path}, nil
	}
	return nil, ErrNoTestsuite
}

// dockerAnswers reports whether a Docker engine answers "docker info".
func dockerAnswers(ctx context.Context) bool {
	if _, err := exec.LookPath("docker"); err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, "docker", "info").Run() == nil
}

// String describes the engine for logs.
func (e *Engine) String() string {
	if e.Wstest != "" {
		return "wstest command " + e.Wstest
	}
	return "Docker image " + e.image()
}

func (e *Engine) image() string {
	if e.Image != "" {
		return e.Image
	}
	return DefaultImage
}

// containerSeq makes container names unique within the process.
var containerSeq atomic.Int64

// command returns the command that runs wstest with args in dir, where the
// spec files are and the reports go (spec paths are relative to dir). With
// Docker, dir is mounted as the container's working directory and the
// container shares the host's network, so 127.0.0.1 means the same on both
// sides. The second result removes the container (a no-op without Docker);
// call it when the command is done.
func (e *Engine) command(ctx context.Context, dir string, args ...string) (*exec.Cmd, func()) {
	if e.Wstest != "" {
		cmd := exec.CommandContext(ctx, e.Wstest, args...)
		cmd.Dir = dir
		return cmd, func() {}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	name := "autobahn-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(containerSeq.Add(1), 10)
	dockerArgs := []string{"run", "--rm", "--name", name, "--network", "host",
		"-v", abs + ":/autobahn", "-w", "/autobahn", e.image(), "wstest"}
	cmd := exec.CommandContext(ctx, "docker", append(dockerArgs, args...)...)
	cleanup := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = exec.CommandContext(ctx, "docker", "rm", "-f", name).Run() // the container may be gone already
	}
	return cmd, cleanup
}
