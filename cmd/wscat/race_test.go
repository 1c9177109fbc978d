//go:build race

package main

import "os"

// Under go test -race, the programs under test are built with the race
// detector too, so that a data race in wscat fails its run. Its default
// second of sleep at exit is left out: wscat exits in every test.
func init() {
	buildFlags = append(buildFlags, "-race")
	if os.Getenv("GORACE") == "" {
		os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
}
