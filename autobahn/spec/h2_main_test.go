package spec_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
)

// xconnect is the GODEBUG setting that makes net/http's HTTP/2 server
// advertise extended CONNECT (RFC 8441).
const xconnect = "http2xconnect=1"

// rerunWithXConnect runs the test binary again, with the same arguments, in
// an environment where GODEBUG holds http2xconnect=1, and reports its exit
// code and true; or false if this process already has the setting. net/http
// reads GODEBUG from the environment at init, and the setting has no
// //go:debug directive nor go.mod godebug line: only the environment of the
// process can turn it on, which keeps it scoped to the tests. (conn's tests
// do the same.)
func rerunWithXConnect() (int, bool) {
	gd := os.Getenv("GODEBUG")
	if strings.Contains(gd, xconnect) {
		return 0, false
	}
	if gd != "" {
		gd += ","
	}
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), "GODEBUG="+gd+xconnect)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, true
	case errors.As(err, &ee):
		return ee.ExitCode(), true
	}
	os.Stderr.WriteString("spec_test: running the tests again with GODEBUG=" + xconnect + ": " + err.Error() + "\n")
	return 1, true
}
