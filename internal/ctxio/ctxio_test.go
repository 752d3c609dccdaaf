package ctxio

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadAll(t *testing.T) {
	in := strings.Repeat("wxaudit ", 50000)
	b, err := io.ReadAll(Reader(context.Background(), strings.NewReader(in)))
	if err != nil || string(b) != in {
		t.Fatalf("read %d bytes, err %v", len(b), err)
	}
}

func TestCancelWhileBlocked(t *testing.T) {
	pr, pw := io.Pipe() // nothing is ever written: Read blocks
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	r := Reader(ctx, pr)
	done := make(chan error)
	go func() {
		_, err := r.Read(make([]byte, 10))
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
