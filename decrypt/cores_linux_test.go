package decrypt

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/payload"
)

// BenchmarkDecryptParallel decrypts the real capture replicated 1000
// times with Workers = GOMAXPROCS, writing JSONL as the command does, and
// reports cpu/main-cpu: the process's CPU time over the CPU time of the
// goroutine that runs Run (locked to its thread). On a machine with that
// many idle cores the run's wall time is the main goroutine's, so the
// ratio is the number of cores the run can keep busy, a figure other jobs
// on a shared machine do not change the way they change wall time.
//
//	go test ./decrypt -run '^$' -bench DecryptParallel -benchtime 3x
func BenchmarkDecryptParallel(b *testing.B) {
	dir := fixtures.Dir(b)
	src, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		b.Fatal(err)
	}
	keys := loadKeys(b, dir+"/"+realKeylog)
	path := filepath.Join(b.TempDir(), "r1000.pcap")
	if err := os.WriteFile(path, replicate(b, src, 1000*len(src)), 0o600); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	var all, main time.Duration
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		runtime.LockOSThread()
		p0, t0 := rusageCPU(syscall.RUSAGE_SELF), rusageCPU(rusageThread)
		var line []byte
		out := bufio.NewWriterSize(discard{}, 64<<10)
		_, err = Run(context.Background(), bufio.NewReaderSize(f, 256<<10), Options{Keys: keys, Workers: runtime.GOMAXPROCS(0)}, func(p *payload.Payload) error {
			line = append(p.AppendJSON(line[:0], false), '\n')
			_, err := out.Write(line)
			return err
		})
		all += rusageCPU(syscall.RUSAGE_SELF) - p0
		main += rusageCPU(rusageThread) - t0
		runtime.UnlockOSThread()
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(all.Seconds()/main.Seconds(), "cpu/main-cpu")
}

// rusageThread is Linux's RUSAGE_THREAD: the calling thread only.
const rusageThread = 1

func rusageCPU(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }
