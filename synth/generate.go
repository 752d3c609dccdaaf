// This file orchestrates a generation run: scenario rounds become
// connections, connections become packets, and packets, key-log lines and
// manifest entries are written round by round, so memory is bounded by one
// round whatever Options.Size asks for.

package synth

import (
	"compress/zlib"
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/internal/atomicfile"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/mmtls"
)

// Options configures Generate. The zero value (plus OutDir) generates the
// default scenario with seed 0 as pcapng.
type Options struct {
	// Scenario names the scenario (see Scenarios); "" means "all".
	Scenario string
	// Seed determines every random choice: equal options give
	// byte-identical output.
	Seed int64
	// OutDir is the folder Generate writes into (created if missing).
	// GenerateTo ignores it.
	OutDir string
	// Format is capture.FormatPcapng (the default when zero) or
	// capture.FormatPcap.
	Format capture.Format
	// Loss is the probability that a data segment is dropped and sent
	// again after a retransmission timeout.
	Loss float64
	// Reorder is the probability that a data segment changes place with
	// the next one.
	Reorder float64
	// Retransmit is the probability that a data segment is sent twice,
	// either identically or as a segment overlapping it and the next one.
	Retransmit float64
	// Size, if positive, repeats the scenario with fresh connections
	// (rounds) until the capture holds about Size bytes.
	Size int64
	// Start is the time of the first packet; zero means
	// 2024-10-01T09:30:00Z, so output does not depend on the clock.
	Start time.Time
}

// Output file names in Options.OutDir.
const (
	FileCapturePcapng = "capture.pcapng"
	FileCapturePcap   = "capture.pcap"
	FileSecrets       = "secrets.keylog"
	FileFrida         = "frida.keylog"
	FileManifest      = "manifest.jsonl"
)

// DefaultStart is the capture start time when Options.Start is zero.
var DefaultStart = time.Date(2024, 10, 1, 9, 30, 0, 0, time.UTC)

// Result summarises a run.
type Result struct {
	// Paths of the files written (empty for GenerateTo).
	Capture, Secrets, Frida, Manifest string
	Rounds                            int   // scenario repetitions
	Connections                       int   // TCP connections
	Packets                           int64 // frames in the capture
	Payloads                          int   // manifest entries
	CaptureBytes                      int64 // size of the capture
	// Truth is what the run did, in the claims' units (truth.json).
	Truth *Truth
}

// Writers are the four outputs of GenerateTo.
type Writers struct {
	Capture  io.Writer // pcap or pcapng
	Secrets  io.Writer // wxaudit secrets key log
	Frida    io.Writer // Citizen Lab Frida key log
	Manifest io.Writer // ground-truth JSON lines
}

// Generate writes a synthetic capture with its key logs and manifest into
// opts.OutDir: capture.pcapng (or capture.pcap), secrets.keylog,
// frida.keylog and manifest.jsonl.
func Generate(opts Options) (*Result, error) {
	if opts.OutDir == "" {
		return nil, errors.New("synth: no output folder")
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	capName := FileCapturePcapng
	if opts.Format == capture.FormatPcap {
		capName = FileCapturePcap
	}
	names := []string{capName, FileSecrets, FileFrida, FileManifest}
	// Each file is written under a temporary name and renamed into place
	// once all four are whole: a failed or interrupted run leaves the
	// folder as it was.
	files := make([]*atomicfile.File, len(names))
	abortAll := func() {
		for _, f := range files {
			if f != nil {
				f.Abort()
			}
		}
	}
	for i, n := range names {
		f, err := atomicfile.Create(filepath.Join(opts.OutDir, n))
		if err != nil {
			abortAll()
			return nil, fmt.Errorf("synth: %w", err)
		}
		files[i] = f
	}
	res, err := GenerateTo(Writers{files[0], files[1], files[2], files[3]}, opts)
	if err != nil {
		abortAll()
		return nil, err
	}
	for _, f := range files {
		if cerr := f.Commit(); cerr != nil && err == nil {
			err = fmt.Errorf("synth: %w", cerr)
		}
	}
	if err != nil {
		return nil, err
	}
	res.Capture = filepath.Join(opts.OutDir, capName)
	res.Secrets = filepath.Join(opts.OutDir, FileSecrets)
	res.Frida = filepath.Join(opts.OutDir, FileFrida)
	res.Manifest = filepath.Join(opts.OutDir, FileManifest)
	if err := writeTruth(opts.OutDir, res.Truth); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	return res, nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// maxRounds bounds a run (a 2 GB capture is a few tens of thousands).
const maxRounds = 10_000_000

// GenerateTo is Generate writing to the given writers, for benchmarks and
// pipes. The writers are not closed.
func GenerateTo(w Writers, opts Options) (*Result, error) {
	run, err := lookupScenario(opts.Scenario)
	if err != nil {
		return nil, err
	}
	for _, p := range []float64{opts.Loss, opts.Reorder, opts.Retransmit} {
		if !(p >= 0 && p <= 1) { // NaN too
			return nil, fmt.Errorf("synth: probability %v out of [0,1]", p)
		}
	}
	if opts.Format == 0 {
		opts.Format = capture.FormatPcapng
	}
	if opts.Start.IsZero() {
		opts.Start = DefaultStart
	}
	cw := &countingWriter{w: w.Capture}
	pw, err := capture.NewWriter(cw, opts.Format, capture.WriterOptions{Nanoseconds: true})
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	g := &generator{
		opts:    opts,
		id:      newIdentity(newRNG(opts.Seed, 0)),
		r:       newRNG(opts.Seed, 1),
		pw:      pw,
		kw:      keylog.NewSecretsWriter(w.Secrets),
		fw:      keylog.NewFridaWriter(w.Frida),
		mw:      newManifestWriter(w.Manifest),
		now:     opts.Start,
		res:     &Result{Truth: newTruth(opts.Scenario)},
		imp:     impairments{opts.Loss, opts.Reorder, opts.Retransmit},
		nextP:   40000,
		tickets: make(map[string][32]byte),
	}
	g.addresses()
	if g.signer, err = newSigner(g.r); err != nil {
		return nil, err
	}
	// One account session for the whole run: every round's auth response
	// delivers the same inner keys. (Fresh keys per round would make the
	// secrets key log offer several AES-CBC keys, and an uncompressed
	// AES-CBC body has no integrity check: a wrong key is accepted when its
	// padding and length happen to fit, about once in 4096 tries.)
	if g.keys, err = newRoundKeys(g.r); err != nil {
		return nil, err
	}
	// The inner keys the auth response delivers: the session key, K (an
	// AES-CBC key too: it decrypts the session key and signs requests) and
	// the newsync GCM keys.
	g.logSecret(g.kw.SessionKey(g.keys.session))
	g.logSecret(g.kw.SessionKey(g.keys.sig))
	g.logSecret(g.kw.GCMKey(g.keys.gcmUp))
	g.logSecret(g.kw.GCMKey(g.keys.gcmDown))
	for round := 0; round < maxRounds; round++ {
		if err := g.round(round, run); err != nil {
			return nil, err
		}
		if err := pw.Flush(); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
		if opts.Size <= 0 || cw.n >= opts.Size {
			break
		}
	}
	if err := pw.Close(); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	if err := g.mw.flush(); err != nil {
		return nil, fmt.Errorf("synth: writing manifest: %w", err)
	}
	g.res.CaptureBytes = cw.n
	g.res.Payloads = g.mw.n
	return g.res, nil
}

// generator is the state of one run.
type generator struct {
	opts Options
	id   *identity
	r    *rng
	pw   *capture.Writer
	kw   *keylog.SecretsWriter
	fw   *keylog.FridaWriter
	mw   *manifestWriter
	now  time.Time
	res  *Result
	imp  impairments

	client                    netip.Addr
	shortSrv, longSrv, dnsSrv []netip.Addr
	nextP                     uint16

	// zw is the zlib compressor of inner bodies (see deflate).
	zw *zlib.Writer
	// keys are the run's inner keys.
	keys *roundKeys
	// signer is the MMTLS servers' static CertificateVerify key.
	signer *ecdsa.PrivateKey
	// kerr and serr are the first errors writing the Frida and secrets
	// key logs.
	kerr, serr error

	// Per round.
	tickets map[string][32]byte // PSK_ACCESS of tickets the servers issued
	psk     *mmtls.PSK          // the Longlink's resumption ticket
	seg     segmenter
	entries []pendingEntry
	roundN  int
}

func (g *generator) addresses() {
	r := g.r
	g.client = netip.AddrFrom4(g.id.ClientIP)
	srv := func() netip.Addr {
		return netip.AddrFrom4([4]byte{byte(pick(r, []int{43, 101, 109, 183})), byte(r.between(1, 250)), byte(r.between(0, 255)), byte(r.between(1, 254))})
	}
	for range 3 {
		g.shortSrv = append(g.shortSrv, srv())
		g.longSrv = append(g.longSrv, srv())
	}
	g.dnsSrv = []netip.Addr{srv()}
}

// port returns the next client port, cycling through the ephemeral range.
func (g *generator) port() uint16 {
	p := g.nextP
	g.nextP++
	if g.nextP > 60999 {
		g.nextP = 32768
	}
	return p
}

// round runs the scenario once and writes its connections.
func (g *generator) round(n int, run func(*script)) error {
	s := &script{id: g.id, r: g.r, now: g.now, keys: g.keys, truth: g.res.Truth}
	run(s)
	g.roundN = n
	g.seg = segmenter{r: g.r, imp: g.imp, out: g.seg.out[:0]}
	g.entries = g.entries[:0]
	clear(g.tickets)
	if err := g.buildConnections(s); err != nil {
		return err
	}
	if err := g.keyErr(); err != nil {
		return err
	}
	// One round's packets, in time order (connections overlap in time).
	pk := g.seg.out
	slices.SortStableFunc(pk, func(a, b capture.Packet) int { return a.Time.Compare(b.Time) })
	for i := range pk {
		g.res.Packets++
		pk[i].Frame = g.res.Packets
		if err := g.pw.WritePacket(pk[i]); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
	}
	slices.SortStableFunc(g.entries, func(a, b pendingEntry) int { return a.at.Compare(b.at) })
	g.res.Truth.countLocation(g.entries)
	for i := range g.entries {
		if err := g.mw.write(&g.entries[i].e); err != nil {
			return fmt.Errorf("synth: writing manifest: %w", err)
		}
	}
	g.res.Rounds++
	// The next round starts after this one, with a pause.
	last := s.now
	if len(pk) > 0 && pk[len(pk)-1].Time.After(last) {
		last = pk[len(pk)-1].Time
	}
	g.now = last.Add(time.Duration(g.r.between(1000, 5000)) * time.Millisecond)
	return nil
}

// newSigner draws the servers' static P-256 signing key from r.
func newSigner(r *rng) (*ecdsa.PrivateKey, error) {
	var b [32]byte
	for range 64 {
		r.fill(b[:])
		if k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), b[:]); err == nil {
			return k, nil
		}
	}
	return nil, errors.New("synth: internal error: no p-256 signing key")
}

// logErr notes the first error writing the Frida key log.
func (g *generator) logErr(err error) {
	if err != nil && g.kerr == nil {
		g.kerr = err
	}
}

// logSecret notes the first error writing the secrets key log.
func (g *generator) logSecret(err error) {
	if err != nil && g.serr == nil {
		g.serr = err
	}
}

func (g *generator) keyErr() error {
	if g.kerr != nil {
		return fmt.Errorf("synth: writing frida key log: %w", g.kerr)
	}
	if g.serr != nil {
		return fmt.Errorf("synth: writing secrets key log: %w", g.serr)
	}
	return nil
}
