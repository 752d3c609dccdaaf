// Command decryptfloor times the physical floor of `wxaudit decrypt` on a
// capture: the work that any decrypter of it must do, done alone.
//
//	go run ./internal/tools/decryptfloor -runs 5 --keylog KEYLOG CAPTURE
//
// It first runs the decrypt engine once on the capture, untimed, as the
// command does (decrypt.Run with the key logs, GOMAXPROCS workers), with
// internal/worklog recording every AES-GCM open whose tag verified (MMTLS
// records, AES-128; business payloads, AES-192), every AES-128-CBC
// decryption whose padding was valid, every zlib or deflate stream
// inflated, and every payload emitted. Then, -runs times, on one
// goroutine, it
//
//  1. reads the capture file (in 256 KiB reads, as decrypt does);
//  2. opens each recorded GCM ciphertext with its key, nonce and AAD
//     (crypto/cipher; one AEAD per key, built in the run), in place;
//  3. decrypts each recorded CBC ciphertext (one cipher per key);
//  4. inflates each recorded stream with klauspost/compress, as decrypt
//     does (one reader, Reset per stream, output into a kept buffer);
//  5. hex-encodes each payload with the function decrypt's JSONL uses
//     (jsonw.AppendHexString) and writes the hex to -o (default
//     /dev/null), in 64 KiB writes;
//
// and prints each run's CPU time (user + system, getrusage, after a
// collection), their median, and the work's size. What it does not do:
// parse pcap or pcapng records, reassemble TCP, frame MMTLS records or
// business packets, find or try keys (failed tries are not floor work),
// parse headers, write JSON around the hex, allocate payloads, or start
// wxaudit's other packages: the wxaudit process does all of these, and
// its start-up (about 30 ms) besides, so compare its task-clock with the
// median here in the same sitting (BENCHMARKS.md).
package main

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zlib"

	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/internal/jsonw"
	"github.com/wxaudit/wxaudit/internal/worklog"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
)

type gcmOp struct{ key, nonce, aad, ct []byte }
type cbcOp struct{ key, ct []byte }
type inflateOp struct {
	stream []byte
	raw    bool
}

// work is what the engine did, recorded from several goroutines.
type work struct {
	mu       sync.Mutex
	gcm      []gcmOp
	cbc      []cbcOp
	inflate  []inflateOp
	payloads [][]byte
}

func (w *work) GCM(key, nonce, aad, ct []byte) {
	w.mu.Lock()
	w.gcm = append(w.gcm, gcmOp{slices.Clone(key), slices.Clone(nonce), slices.Clone(aad), slices.Clone(ct)})
	w.mu.Unlock()
}

func (w *work) CBC(key, ct []byte) {
	w.mu.Lock()
	w.cbc = append(w.cbc, cbcOp{slices.Clone(key), slices.Clone(ct)})
	w.mu.Unlock()
}

func (w *work) Inflate(stream []byte, raw bool) {
	w.mu.Lock()
	w.inflate = append(w.inflate, inflateOp{slices.Clone(stream), raw})
	w.mu.Unlock()
}

type keylogs []string

func (k *keylogs) String() string     { return strings.Join(*k, ",") }
func (k *keylogs) Set(v string) error { *k = append(*k, v); return nil }

func main() {
	var kl keylogs
	flag.Var(&kl, "keylog", "key log `file` (repeatable)")
	runs := flag.Int("runs", 5, "timed runs")
	out := flag.String("o", os.DevNull, "where the hex goes")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: decryptfloor [-runs N] [-o FILE] --keylog KEYLOG... CAPTURE")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), kl, *runs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "decryptfloor:", err)
		os.Exit(1)
	}
}

func run(capture string, kl []string, runs int, outPath string) error {
	keys, err := keylog.Load(kl)
	if err != nil {
		return err
	}
	w, err := record(capture, keys)
	if err != nil {
		return err
	}
	dst, err := os.OpenFile(outPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer dst.Close()
	f := &floor{w: w, out: dst}
	var times []time.Duration
	for i := range runs {
		runtime.GC()
		before := cpuTime()
		if err := f.run(capture); err != nil {
			return err
		}
		d := cpuTime() - before
		times = append(times, d)
		fmt.Printf("run %d: %.1f ms CPU\n", i+1, ms(d))
	}
	sorted := slices.Clone(times)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	if len(sorted) > 0 {
		fmt.Printf("median %.1f ms CPU over %d runs\n", ms(sorted[len(sorted)/2]), len(sorted))
	}
	fmt.Printf("capture %d bytes; %d GCM opens (%d bytes), %d CBC (%d bytes), %d inflates (%d bytes in, %d out), %d payloads (%d bytes, hex %d)\n",
		f.captureLen, len(w.gcm), sumLen(w.gcm, func(o gcmOp) int { return len(o.ct) }),
		len(w.cbc), sumLen(w.cbc, func(o cbcOp) int { return len(o.ct) }),
		len(w.inflate), sumLen(w.inflate, func(o inflateOp) int { return len(o.stream) }), f.inflated,
		len(w.payloads), sumLen(w.payloads, func(p []byte) int { return len(p) }), f.hexed)
	return nil
}

// record runs the engine once with the work log on.
func record(capture string, keys *keylog.Log) (*work, error) {
	in, err := os.Open(capture)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	w := &work{}
	worklog.Rec = w
	defer func() { worklog.Rec = nil }()
	_, err = decrypt.Run(context.Background(), in, decrypt.Options{Keys: keys, CaptureName: capture, Workers: runtime.GOMAXPROCS(0)},
		func(p *payload.Payload) error {
			w.payloads = append(w.payloads, slices.Clone(p.Payload))
			return nil
		})
	return w, err
}

// floor does the recorded work; its buffers are kept across runs.
type floor struct {
	w          *work
	out        io.Writer
	buf        []byte // reads the capture
	scratch    []byte
	hex        []byte
	zr, fr     io.ReadCloser
	br         bytes.Reader
	captureLen int
	inflated   int
	hexed      int
}

func (f *floor) run(capture string) error {
	// 1. read the capture, streaming, as decrypt does.
	in, err := os.Open(capture)
	if err != nil {
		return err
	}
	if f.buf == nil {
		f.buf = make([]byte, 256<<10)
	}
	f.captureLen = 0
	for {
		n, err := in.Read(f.buf)
		f.captureLen += n
		if err == io.EOF {
			break
		}
		if err != nil {
			in.Close()
			return err
		}
	}
	in.Close()
	// 2. GCM opens, in place in a scratch copy (the engine opens records
	// in its own buffers).
	aeads := map[string]cipher.AEAD{}
	for _, op := range f.w.gcm {
		a, ok := aeads[string(op.key)]
		if !ok {
			block, err := aes.NewCipher(op.key)
			if err != nil {
				return err
			}
			if a, err = cipher.NewGCMWithNonceSize(block, len(op.nonce)); err != nil {
				return err
			}
			aeads[string(op.key)] = a
		}
		f.scratch = append(f.scratch[:0], op.ct...)
		if _, err := a.Open(f.scratch[:0], op.nonce, f.scratch, op.aad); err != nil {
			return fmt.Errorf("a recorded GCM open fails: %w", err)
		}
	}
	// 3. CBC, key = IV.
	blocks := map[string]cipher.Block{}
	for _, op := range f.w.cbc {
		b, ok := blocks[string(op.key)]
		if !ok {
			if b, err = aes.NewCipher(op.key); err != nil {
				return err
			}
			blocks[string(op.key)] = b
		}
		f.scratch = append(f.scratch[:0], op.ct...)
		cipher.NewCBCDecrypter(b, op.key).CryptBlocks(f.scratch, f.scratch)
	}
	// 4. inflate.
	f.inflated = 0
	for _, op := range f.w.inflate {
		f.br.Reset(op.stream)
		var r io.ReadCloser
		if op.raw {
			if f.fr == nil {
				f.fr = flate.NewReader(&f.br)
			} else if err := f.fr.(flate.Resetter).Reset(&f.br, nil); err != nil {
				return err
			}
			r = f.fr
		} else {
			if f.zr == nil {
				if f.zr, err = zlib.NewReader(&f.br); err != nil {
					return err
				}
			} else if err := f.zr.(zlib.Resetter).Reset(&f.br, nil); err != nil {
				return err
			}
			r = f.zr
		}
		f.scratch = f.scratch[:0]
		for {
			if len(f.scratch) == cap(f.scratch) {
				f.scratch = append(f.scratch, 0)[:len(f.scratch)]
			}
			n, err := r.Read(f.scratch[len(f.scratch):cap(f.scratch)])
			f.scratch = f.scratch[:len(f.scratch)+n]
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("a recorded inflate fails: %w", err)
			}
		}
		f.inflated += len(f.scratch)
	}
	// 5. hex, written out in 64 KiB pieces.
	f.hexed = 0
	f.hex = f.hex[:0]
	for _, p := range f.w.payloads {
		f.hex = jsonw.AppendHexString(f.hex, p)
		if len(f.hex) >= 64<<10 {
			f.hexed += len(f.hex)
			if _, err := f.out.Write(f.hex); err != nil {
				return err
			}
			f.hex = f.hex[:0]
		}
	}
	f.hexed += len(f.hex)
	_, err = f.out.Write(f.hex)
	return err
}

func sumLen[T any](xs []T, n func(T) int) int {
	s := 0
	for _, x := range xs {
		s += n(x)
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
