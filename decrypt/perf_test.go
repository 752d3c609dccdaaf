package decrypt

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/business"
	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/payload"
)

// BenchmarkDecryptLiveHeap runs over the ~100 MB replicated capture and
// reports the live heap (after a GC) once 30,000 payloads are out, in the
// middle of the run: what the decrypter keeps per open connection
// (doc.go). For what it holds, add -memprofile after a run of -benchtime 1x.
//
//	go test ./decrypt -run '^$' -bench DecryptLiveHeap -benchtime 1x
func BenchmarkDecryptLiveHeap(b *testing.B) {
	dir := fixtures.Dir(b)
	src, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		b.Fatal(err)
	}
	keys := loadKeys(b, dir+"/"+realKeylog)
	path := filepath.Join(b.TempDir(), "replicated.pcap")
	if err := os.WriteFile(path, replicate(b, src, 100<<20), 0o600); err != nil {
		b.Fatal(err)
	}
	var live uint64
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		_, err = Run(context.Background(), bufio.NewReaderSize(f, 256<<10), Options{Keys: keys}, func(*payload.Payload) error {
			if n++; n == 30000 {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				live = max(live, ms.HeapAlloc)
			}
			return nil
		})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if n < 30000 {
			b.Fatalf("%d payloads, want at least 30000", n)
		}
	}
	b.ReportMetric(float64(live)/(1<<20), "live-MB")
}

// TestInflateAnyPooled checks the pooled HTTP body inflater on zlib, raw
// deflate, garbage and a bomb in turn, so each case starts from a reader
// the previous one left behind.
func TestInflateAnyPooled(t *testing.T) {
	plain := bytes.Repeat([]byte("<dns><domain>short.weixin.qq.com</domain></dns>"), 200)
	var z, f bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(plain)
	zw.Close()
	fw, _ := flate.NewWriter(&f, flate.DefaultCompression)
	fw.Write(plain)
	fw.Close()
	var bomb bytes.Buffer
	bw := zlib.NewWriter(&bomb)
	bw.Write(make([]byte, 1<<20))
	bw.Close()
	for round := range 3 {
		for _, tc := range []struct {
			name string
			in   []byte
			max  int64
			ok   bool
		}{
			{"zlib", z.Bytes(), 1 << 20, true},
			{"deflate", f.Bytes(), 1 << 20, true},
			{"garbage", []byte("not compressed at all"), 1 << 20, false},
			{"bomb", bomb.Bytes(), 64 << 10, false},
			{"zlib at cap", z.Bytes(), int64(len(plain)), true},
			{"zlib over cap", z.Bytes(), int64(len(plain)) - 1, false},
			{"deflate over cap", f.Bytes(), int64(len(plain)) - 1, false},
		} {
			out, ok := inflateBody(&business.AuthState{MaxInflate: tc.max}, tc.in)
			if ok != tc.ok || (ok && !bytes.Equal(out, plain)) {
				t.Fatalf("round %d %s: ok %v (%d bytes), want ok %v", round, tc.name, ok, len(out), tc.ok)
			}
		}
	}
}

// BenchmarkDecryptCPU is BenchmarkDecrypt over the 100 MB capture that also
// reports throughput per CPU second of the whole process (user + system,
// GC included), which a machine shared with other jobs disturbs less
// than wall time. Run it on one core:
//
//	go test ./decrypt -run '^$' -bench DecryptCPU -benchtime 3x -cpu 1
func BenchmarkDecryptCPU(b *testing.B) {
	dir := fixtures.Dir(b)
	src, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		b.Fatal(err)
	}
	keys := loadKeys(b, dir+"/"+realKeylog)
	path := filepath.Join(b.TempDir(), "replicated.pcap")
	if err := os.WriteFile(path, replicate(b, src, 100<<20), 0o600); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	var cpu time.Duration
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		before := cpuTime()
		_, err = Run(context.Background(), bufio.NewReaderSize(f, 256<<10), Options{Keys: keys}, func(*payload.Payload) error { return nil })
		cpu += cpuTime() - before
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(fi.Size())*float64(b.N)/(1<<20)/cpu.Seconds(), "cpu-MB/s")
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
