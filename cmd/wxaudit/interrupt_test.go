package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestInterruptIdleStdin: Ctrl-C on a command waiting for stdin that never
// sends anything ends it with an error, not a hang or exit 0.
func TestInterruptIdleStdin(t *testing.T) {
	for _, args := range [][]string{{"decrypt", "-"}, {"decode", "-"}} {
		pr, pw := io.Pipe()
		ctx, cancel := context.WithCancel(context.Background())
		var stdout, stderr bytes.Buffer
		done := make(chan int)
		go func() { done <- run(ctx, args, pr, &stdout, &stderr) }()
		time.Sleep(50 * time.Millisecond)
		cancel()
		select {
		case code := <-done:
			if code != 1 || !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
			}
		case <-time.After(time.Minute):
			t.Fatalf("%v: still running a minute after the interrupt", args)
		}
		pw.Close()
	}
}
