package decrypt

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/payload"
)

// replicate builds a capture of about size bytes by repeating the real
// capture's TCP packets, each copy with its own client addresses (10.a.b.c)
// so that every copy is a new set of connections.
func replicate(tb testing.TB, src []byte, size int) []byte {
	tb.Helper()
	type pkt struct {
		p       capture.Packet
		payload []byte
	}
	r, err := capture.NewReader(bytes.NewReader(src))
	if err != nil {
		tb.Fatal(err)
	}
	var pkts []pkt
	var first time.Time
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if first.IsZero() {
			first = p.Time
		}
		pkts = append(pkts, pkt{p: p, payload: append([]byte(nil), p.Payload...)})
	}
	var out bytes.Buffer
	w, err := capture.NewWriter(&out, capture.FormatPcap, capture.WriterOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	client := netip.MustParseAddr("10.0.2.16")
	for copyN := 0; out.Len() < size; copyN++ {
		addr := netip.AddrFrom4([4]byte{10, byte(copyN >> 16), byte(copyN >> 8), byte(copyN)})
		shift := time.Duration(copyN) * 30 * time.Second
		for _, q := range pkts {
			p := q.p
			p.Payload = q.payload
			p.Time = p.Time.Add(shift)
			if p.Src.Addr() == client {
				p.Src = netip.AddrPortFrom(addr, p.Src.Port())
			}
			if p.Dst.Addr() == client {
				p.Dst = netip.AddrPortFrom(addr, p.Dst.Port())
			}
			if err := w.WritePacket(p); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
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

// TestWriteReplicated writes the real capture replicated N times (see
// replicate) for measuring the commands from a shell, e.g.
//
//	WXAUDIT_REPLICATE=/tmp/r100.pcap:100 go test ./decrypt -run WriteReplicated
func TestWriteReplicated(t *testing.T) {
	spec := os.Getenv("WXAUDIT_REPLICATE")
	if spec == "" {
		t.Skip("set WXAUDIT_REPLICATE=FILE:COPIES to write a replicated capture")
	}
	path, copies, ok := strings.Cut(spec, ":")
	n, err := strconv.Atoi(copies)
	if !ok || err != nil || n < 1 {
		t.Fatalf("WXAUDIT_REPLICATE=%q: want FILE:COPIES", spec)
	}
	dir := fixtures.Dir(t)
	src, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		t.Fatal(err)
	}
	one := replicate(t, src, 1)
	if err := os.WriteFile(path, replicate(t, src, n*(len(one)-24)), 0o600); err != nil {
		t.Fatal(err)
	}
}
