package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveReport runs `wxaudit serve` on a fresh report until the test ends
// and returns the URL it printed and its stderr.
func serveReport(t *testing.T, extra ...string) (string, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	var out, errb syncBuffer
	if code := run(context.Background(), []string{"demo", "--out", dir}, nil, io.Discard, &errb); code != 0 {
		t.Fatalf("demo: %d %s", code, errb.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	args := append([]string{"serve", "--addr", "127.0.0.1:0"}, extra...)
	go func() { done <- run(ctx, append(args, dir+"/report"), nil, &out, &errb) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errb.String())
		}
	})
	re := regexp.MustCompile(`http://[^ ]+/`)
	for i := 0; i < 200; i++ {
		if u := re.FindString(out.String()); u != "" {
			return u, &errb
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("serve printed no URL: %q %q", out.String(), errb.String())
	return "", nil
}

func TestServeListensOnLoopback(t *testing.T) {
	u, errb := serveReport(t)
	if !strings.HasPrefix(u, "http://localhost:") {
		t.Errorf("URL %s is not loopback", u)
	}
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("GET %s: %d, CSP %q", u, res.StatusCode, res.Header.Get("Content-Security-Policy"))
	}
	req, _ := http.NewRequest("GET", u, nil)
	req.Host = "rebind.example"
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Errorf("foreign Host: %d", res.StatusCode)
	}
	if strings.Contains(errb.String(), "WARNING") {
		t.Errorf("warned on loopback: %s", errb.String())
	}
}

func TestServeWarnsOffLoopback(t *testing.T) {
	_, errb := serveReport(t, "--addr", "0.0.0.0:0")
	if !strings.Contains(errb.String(), "WARNING: listening on") {
		t.Errorf("no warning for a non-loopback address: %q", errb.String())
	}
}
