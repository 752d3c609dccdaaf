//go:build unix

package main

import (
	"context"
	"os/signal"
	"syscall"
	"testing"
)

// TestSIGTERMCancels: SIGTERM (kill, timeout, a service manager) ends a
// command through its context, as Ctrl-C does, so it removes its spools
// and temporary folders; without it the process would die on the spot.
func TestSIGTERMCancels(t *testing.T) {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	defer stop()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done() // the test binary's deadline catches a signal not delivered
}
