//go:build !unix

package conn_test

import "time"

// raiseFDLimit reports no limit it could read: BenchmarkCloseStorm, which
// needs to know it has enough file descriptors, skips here.
func raiseFDLimit() uint64 { return 0 }

// cpuTime is not measured here; BenchmarkCloseStorm skips before using it.
func cpuTime() time.Duration { return 0 }
