//go:build unix

package client_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time this process has used (user and system). The
// benchmarks report it per operation: unlike wall time, it barely moves
// when other processes load the machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
