package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/decode"
	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/internal/pcaprewrite"
)

// BenchmarkDecryptCommand runs `wxaudit decrypt --keylog … capture` as a
// user does, JSONL output included (to io.Discard), on the real capture
// replicated 100 and 1000 times (8 and 80 MB). cpu-MB/s divides by the
// process's CPU time (user + system, all cores, GC included), which other
// jobs on a shared machine disturb less than wall time.
//
//	go test ./cmd/wxaudit -run '^$' -bench DecryptCommand -benchtime 3x
func BenchmarkDecryptCommand(b *testing.B) {
	src, err := os.ReadFile(fixtures.Path(b, "capture-logged-in-all-keys.pcapng"))
	if err != nil {
		b.Fatal(err)
	}
	keylog := fixtures.Path(b, "frida-logged-in-all-keys.log")
	for _, copies := range []int{100, 1000} {
		path := filepath.Join(b.TempDir(), "replicated.pcap")
		writeReplicated(b, src, path, copies)
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strconv.Itoa(copies)+"x", func(b *testing.B) {
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			var cpu time.Duration
			for b.Loop() {
				before := cpuTime()
				if code := run(context.Background(), []string{"decrypt", "-q", "--keylog", keylog, path}, nil, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit %d", code)
				}
				cpu += cpuTime() - before
			}
			b.ReportMetric(float64(fi.Size())*float64(b.N)/(1<<20)/cpu.Seconds(), "cpu-MB/s")
		})
	}
}

func writeReplicated(tb testing.TB, src []byte, path string, copies int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	if err := pcaprewrite.Replicate(src, w, copies); err != nil {
		tb.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecodeCommand runs `wxaudit decode` over the shared request
// logs as a user does, JSONL output included (to io.Discard). SetBytes
// counts the payload bytes decoded (hex-decoded from the logs), the unit
// protoscope's throughput is given in (BENCHMARKS.md).
//
//	go test ./cmd/wxaudit -run '^$' -bench DecodeCommand -benchtime 3x
func BenchmarkDecodeCommand(b *testing.B) {
	logs, err := filepath.Glob(filepath.Join(fixtures.Dir(b), "report-logs", "*.log.jsonl"))
	if err != nil || len(logs) == 0 {
		b.Fatal("no request logs")
	}
	n := int64(0)
	for _, l := range logs {
		n += payloadBytes(b, l)
	}
	b.SetBytes(n)
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		before := cpuTime()
		if code := run(context.Background(), append([]string{"decode"}, logs...), nil, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
		cpu += cpuTime() - before
	}
	b.ReportMetric(float64(n)*float64(b.N)/(1<<20)/cpu.Seconds(), "cpu-MB/s")
}

// payloadBytes sums the payload bytes of a request log.
func payloadBytes(tb testing.TB, path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := decode.NewReader(f, path)
	var n int64
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		n += int64(len(p.Payload))
	}
}
