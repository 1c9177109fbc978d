//go:build linux

package main

import "syscall"

// raiseFileLimit raises the descriptor limit to at least n where the process
// may (the hard limit too, for a privileged process); dialing reports it
// when that was not enough.
func raiseFileLimit(n uint64) {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) != nil || l.Cur >= n {
		return
	}
	l.Cur = n
	if l.Max < n {
		l.Max = n
	}
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l) != nil {
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}
