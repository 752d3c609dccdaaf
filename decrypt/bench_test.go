package decrypt

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/internal/pcaprewrite"
	"github.com/wxaudit/wxaudit/payload"
)

// replicate builds a capture of about size bytes (at least one copy) by
// repeating the real capture's TCP packets (pcaprewrite.Replicate).
func replicate(tb testing.TB, src []byte, size int) []byte {
	tb.Helper()
	var one, out bytes.Buffer
	if err := pcaprewrite.Replicate(src, &one, 1); err != nil {
		tb.Fatal(err)
	}
	copies := max(1, (size+one.Len()-1)/one.Len())
	if err := pcaprewrite.Replicate(src, &out, copies); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// BenchmarkDecrypt decrypts a ~100 MB capture built from the real one.
// Run: go test ./decrypt -run '^$' -bench Decrypt -benchtime 3x
func BenchmarkDecrypt(b *testing.B) {
	dir := fixtures.Dir(b)
	src, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		b.Fatal(err)
	}
	keys := loadKeys(b, dir+"/"+realKeylog)
	for _, size := range []int{10 << 20, 100 << 20} {
		// The input streams from a file, as in use, so the heap measured
		// is the decrypter's own.
		path := filepath.Join(b.TempDir(), "replicated.pcap")
		if err := os.WriteFile(path, replicate(b, src, size), 0o600); err != nil {
			b.Fatal(err)
		}
		fi, _ := os.Stat(path)
		b.Run(sizeName(size), func(b *testing.B) {
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				stop := trackPeakHeap(&peak)
				_, err = Run(context.Background(), bufio.NewReaderSize(f, 256<<10), Options{Keys: keys}, func(*payload.Payload) error { return nil })
				stop()
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

func sizeName(n int) string { return itoa(n>>20) + "MB" }

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// trackPeakHeap samples the live heap while a run goes on.
func trackPeakHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		// runtime/metrics reads the heap without stopping the world, as
		// runtime.ReadMemStats would.
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > *peak {
				*peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
