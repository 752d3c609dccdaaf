package corpus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/internal/leftover"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/runfolder"
	"github.com/wxaudit/wxaudit/store"
	"github.com/wxaudit/wxaudit/store/parquet"
)

// stagingDir holds spools and staged Parquet files inside the corpus
// folder (same file system, so renames are atomic); it is emptied at start.
const stagingDir = ".staging"

// Options configure Run.
type Options struct {
	// Out is the corpus folder, created if needed.
	Out string
	// Jobs is the number of runs analysed at once; 0 means one per core.
	Jobs int
	// Add analyses only runs that are new or whose inputs changed.
	Add bool
	// Reveal also writes the raw Parquet tables (every value in clear,
	// the payloads) into parquet-raw/; parquet/ is always the shareable
	// tables, with the report's pseudonyms and coarsening.
	Reveal bool
	// Analyze is passed to analyze.Run for every run (its OnRequest is
	// set by Run); its Policy fills the gaps table.
	Analyze analyze.Options
	// Settings names what else shapes each run's result (the policy
	// model's name or file); it is part of the fingerprints --add compares.
	Settings string
	// Progress, when set, is called after each run is stored, from one
	// goroutine at a time.
	Progress func(Progress)
	// Notice, when set, is told what the user should know but is no
	// error: waiting for another corpus run on the folder, temporaries of
	// a killed run removed.
	Notice func(string)
	// Shard, when N > 1, analyses only the chains of runs in shard I of
	// N (corpus --shard; Merge joins the shards' folders).
	Shard Shard
	// Key, when set, is the redaction key of the shareable tables
	// (LoadKey): the shards of one study share it.
	Key []byte

	// oneJob analyses every request log in one job, as before chains
	// were analysed apart; only the test that the two agree sets it.
	oneJob bool
}

func (o *Options) notice(format string, args ...any) {
	if o.Notice != nil {
		o.Notice(fmt.Sprintf(format, args...))
	}
}

// Progress reports one finished run.
type Progress struct {
	Run      store.Run
	Done     int // runs finished so far, including this one
	Total    int // runs to analyse in this call
	Requests int // requests stored so far in this call
	Elapsed  time.Duration
}

// Result summarises a call of Run.
type Result struct {
	Analysed []string // labels analysed (ok or failed)
	Skipped  []string // labels left as they were (--add, unchanged)
	Failed   []string // labels whose analysis failed
	Metrics  *Metrics
	Claims   *ClaimsDoc
}

// Run analyses the runs at paths into opts.Out. A run that fails is
// stored as failed and the others go on; the returned error is for what
// stops the whole corpus (an unusable output folder, cancellation).
func Run(ctx context.Context, paths []string, opts Options) (*Result, error) {
	if len(paths) == 0 {
		return nil, errors.New("corpus: no runs")
	}
	st, staging, done, err := openCorpus(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer done()
	if opts.Key != nil {
		if err := st.UseRedactionKey(ctx, opts.Key); err != nil {
			return nil, fmt.Errorf("corpus: --key: %w", err)
		}
	}
	key, err := st.RedactionKey(ctx)
	if err != nil {
		return nil, err
	}
	stored, err := st.Runs(ctx)
	if err != nil {
		return nil, err
	}
	srcs, err := discover(paths)
	if err != nil {
		return nil, err
	}
	// Every log is read to find the chains anyway; a capture is hashed
	// only if its shard is this one (below).
	fingerprints(srcs, opts.Settings, func(s *Source) bool { return s.Kind == store.KindLog })
	known := map[string]string{}
	prev := map[string]store.Run{}
	for _, r := range stored {
		known[r.Source] = r.Run
		prev[r.Run] = r
	}
	assignLabels(srcs, known)

	res := &Result{}
	// One job per chain: its runs share their context and are analysed
	// together; chains are independent, so they run in parallel and a
	// shard holds whole chains.
	var jobs [][]Source
	storedChain := storedChains(stored)
	for _, c := range chainsOf(srcs, opts.oneJob) {
		if !opts.Shard.has(c.root) {
			continue
		}
		var job []Source
		for _, i := range c.members {
			fingerprints(srcs[i:i+1], opts.Settings, func(*Source) bool { return true })
			job = append(job, srcs[i])
		}
		if opts.Add && unchanged(c, srcs, prev, storedChain) {
			for _, s := range job {
				res.Skipped = append(res.Skipped, s.Label)
			}
			continue
		}
		jobs = append(jobs, job)
	}
	total := 0
	for _, j := range jobs {
		total += len(j)
	}
	// The metrics describe the whole store: stale ones must not survive a
	// change that is then interrupted.
	if total > 0 {
		for _, f := range []string{MetricsFile, ReportFile, ClaimsFile} {
			os.Remove(filepath.Join(opts.Out, f))
		}
	}

	w := &writer{st: st, out: opts.Out, staging: staging, opts: opts, key: key, total: total, start: time.Now(), res: res}
	n := opts.Jobs
	if n <= 0 {
		n = runtime.NumCPU()
	}
	queue := make(chan []Source)
	var wg sync.WaitGroup
	for range min(n, max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range queue {
				w.job(ctx, job)
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case queue <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("corpus: interrupted after %d of %d runs (each stored run is whole; run again with --add to finish): %w", w.done, total, err)
	}
	if w.fatal != nil {
		return res, w.fatal
	}
	sort.Strings(res.Analysed)
	sort.Strings(res.Failed)
	return res, finish(ctx, st, opts, res)
}

// finish computes the metrics and claims of the whole store into res and
// writes claims.json, metrics.json and report.html.
func finish(ctx context.Context, st *store.Store, opts Options, res *Result) error {
	m, err := ComputeMetrics(ctx, st)
	if err != nil {
		return err
	}
	res.Metrics = m
	doc, err := ComputeClaims(ctx, st, opts)
	if err != nil {
		return err
	}
	res.Claims = doc
	if err := writeClaims(opts.Out, doc); err != nil {
		return err
	}
	return writeOutputs(opts.Out, st, m, doc.Claims)
}

// openCorpus makes or opens the corpus folder opts.Out, owner-only, takes
// its lock, empties its staging folder and opens its store; done undoes
// all of that.
func openCorpus(ctx context.Context, opts Options) (st *store.Store, staging string, done func(), err error) {
	if err := checkOut(opts.Out); err != nil {
		return nil, "", nil, err
	}
	// The folder is the owner's only: the store and the spools hold every
	// value in clear (doc/privacy.md).
	if err := os.MkdirAll(opts.Out, 0o700); err != nil {
		return nil, "", nil, fmt.Errorf("corpus: %w", err)
	}
	if err := os.Chmod(opts.Out, 0o700); err != nil {
		return nil, "", nil, fmt.Errorf("corpus: %w", err)
	}
	unlock, err := lock(ctx, opts.Out, func() {
		opts.notice("waiting for another corpus run on %s to finish", opts.Out)
	})
	if err != nil {
		return nil, "", nil, err
	}
	// With the lock held no other run is using the staging folder: what
	// is in it was left by a run that was killed.
	staging = filepath.Join(opts.Out, stagingDir)
	if ents, _ := os.ReadDir(staging); len(ents) > 0 {
		opts.notice("removed %d files of decrypted payloads and staged tables in %s, left by an earlier run that was killed", len(ents), staging)
	}
	if err := os.RemoveAll(staging); err != nil {
		unlock()
		return nil, "", nil, fmt.Errorf("corpus: %w", err)
	}
	if swept, _ := leftover.Sweep(opts.Out, ""); len(swept) > 0 {
		for _, p := range swept {
			opts.notice("removed %s, left by an earlier run that was killed", p)
		}
	}
	if err := os.Mkdir(staging, 0o700); err != nil {
		unlock()
		return nil, "", nil, fmt.Errorf("corpus: %w", err)
	}
	st, err = store.Open(filepath.Join(opts.Out, store.FileName))
	if err != nil {
		os.RemoveAll(staging)
		unlock()
		return nil, "", nil, err
	}
	return st, staging, func() {
		st.Close()
		os.RemoveAll(staging)
		unlock()
	}, nil
}

// writer stores finished runs, one at a time.
type writer struct {
	st      *store.Store
	out     string
	staging string
	opts    Options
	key     []byte // of the shareable tables' pseudonyms
	total   int
	start   time.Time

	mu       sync.Mutex // guards the fields below and serialises stores
	done     int
	requests int
	res      *Result
	fatal    error
}

// job analyses one job's sources (one capture run, or the request logs of
// one chain) and stores each run.
func (w *writer) job(ctx context.Context, srcs []Source) {
	if ctx.Err() != nil {
		return
	}
	failAll := func(err error) {
		for _, s := range srcs {
			if s.Err == nil {
				s.Err = err
			}
			w.put(ctx, s, nil, nil, nil)
		}
	}
	if len(srcs) == 1 && srcs[0].Err != nil {
		failAll(srcs[0].Err)
		return
	}
	sp, err := newSpool(w.staging)
	if err != nil {
		failAll(err)
		return
	}
	defer sp.close()
	var inputs []analyze.Input
	for _, s := range srcs {
		in := analyze.Input{Path: s.Path, Label: s.Label, Permissions: permissions(s.Meta), Segment: s.Segment}
		if s.Kind == store.KindCapture {
			in.Path = s.Capture
			keys, err := loadKeys(s.Keylogs)
			if err != nil {
				failAll(fmt.Errorf("key log: %w", err))
				return
			}
			in.Keys = keys
		}
		inputs = append(inputs, in)
	}
	aopts := w.opts.Analyze
	aopts.OnRequest = sp.add
	parts, done, err := w.analyse(ctx, inputs, aopts)
	defer done()
	if err == nil {
		err = sp.finish()
	}
	if ctx.Err() != nil {
		return // interrupted: store nothing of this job
	}
	if err != nil {
		failAll(err)
		return
	}
	for _, s := range srcs {
		rep, err := parts(s.Label)
		if err != nil {
			failAll(err)
			return
		}
		w.put(ctx, s, rep, sp, runOf(rep, s.Label))
	}
}

// analyse runs analyze over one job's inputs and returns, for each run's
// label, a report with the job's runs, errors and policy comparison and
// that run's requests and findings: streamed through a spool file, so
// that a chain of many runs holds one run's rows in memory at a time
// (oneJob keeps the whole report in memory, as before).
func (w *writer) analyse(ctx context.Context, inputs []analyze.Input, aopts analyze.Options) (parts func(label string) (*report.Report, error), done func(), err error) {
	if w.opts.oneJob {
		rep, err := analyze.Run(ctx, inputs, aopts)
		return func(string) (*report.Report, error) { return rep, nil }, func() {}, err
	}
	rs, err := newRunSpool(w.staging)
	if err != nil {
		return nil, func() {}, err
	}
	head, err := analyze.Stream(ctx, inputs, aopts, w.staging, rs.add)
	if err == nil {
		err = rs.endRun()
	}
	if err != nil {
		return nil, rs.close, err
	}
	var last *report.Report
	return func(label string) (*report.Report, error) {
		if last != nil { // the previous run's rows are stored: let them go
			last.Requests, last.Findings = nil, nil
		}
		sub, err := rs.report(label)
		if err != nil {
			return nil, err
		}
		sub.Runs, sub.Errors, sub.Policy = head.Runs, head.Errors, head.Policy
		last = sub
		return sub, nil
	}, rs.close, nil
}

func runOf(rep *report.Report, label string) *report.Run {
	for i := range rep.Runs {
		if rep.Runs[i].Label == label {
			return &rep.Runs[i]
		}
	}
	return nil
}

// permissions is the run's permission state for analyze: the location
// permission, else the single state all stated permissions share.
func permissions(m *runfolder.Run) string {
	if m == nil || len(m.Permissions) == 0 {
		return ""
	}
	if v, ok := m.Permissions["location"]; ok { // not a data type: the OS permission
		return v
	}
	one := ""
	for _, v := range m.Permissions {
		if one != "" && v != one {
			return runfolder.Unknown
		}
		one = v
	}
	return one
}

// put stores one run (failed when rep is nil or s.Err is set) in the
// store, then its Parquet partitions.
func (w *writer) put(ctx context.Context, s Source, rep *report.Report, sp *spool, rr *report.Run) {
	row := runRow(s, rep, rr)
	var sub *report.Report
	var payloads func(func(store.Payload) error) error
	if row.Status == store.StatusOK {
		var base int
		sub, base = split(rep, s.Label)
		payloads = sp.payloads(s.Label, base)
	}
	// The shareable tables always; the raw ones with --reveal. Both are
	// staged before the store changes, and committed after; staging is
	// this run's own files, so workers stage in parallel.
	shared, sharedRun, sharedStrings := shareable(row, sub, w.key, payloads)
	var stages []*parquet.Staged
	staged, err := parquet.Stage(w.out, parquet.Dir, w.staging, sharedRun, shared, sharedStrings)
	if err == nil {
		stages = append(stages, staged)
		if w.opts.Reveal {
			staged, err = parquet.Stage(w.out, parquet.RawDir, w.staging, row, sub, payloads)
			if err == nil {
				stages = append(stages, staged)
			}
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if ctx.Err() != nil || w.fatal != nil {
		for _, s := range stages {
			s.Discard()
		}
		return
	}
	if err == nil {
		err = w.st.PutRun(ctx, row, sub, payloads)
	}
	for _, s := range stages {
		if err != nil {
			s.Discard()
		} else {
			err = s.Commit()
		}
	}
	if err != nil {
		if ctx.Err() == nil {
			w.fatal = err
		}
		return
	}
	w.done++
	w.requests += row.Requests
	w.res.Analysed = append(w.res.Analysed, row.Run)
	if row.Status == store.StatusFailed {
		w.res.Failed = append(w.res.Failed, row.Run)
	}
	if w.opts.Progress != nil {
		w.opts.Progress(Progress{Run: row, Done: w.done, Total: w.total, Requests: w.requests, Elapsed: time.Since(w.start)})
	}
}

// split returns the part of rep that belongs to one run, with request ids
// rebased to start at 0, and the base subtracted.
func split(rep *report.Report, label string) (*report.Report, int) {
	sub := &report.Report{}
	base := -1
	for _, q := range rep.Requests {
		if q.Run == label {
			if base < 0 {
				base = q.ID
			}
			q.ID -= base
			sub.Requests = append(sub.Requests, q)
		}
	}
	base = max(base, 0)
	for _, f := range rep.Findings {
		if f.Run == label {
			f.Request -= base
			sub.Findings = append(sub.Findings, f)
		}
	}
	if rep.Policy != nil {
		p := *rep.Policy
		p.Gaps = nil
		for _, g := range rep.Policy.Gaps {
			if g.Run == label {
				p.Gaps = append(p.Gaps, g)
			}
		}
		sub.Policy = &p
	}
	if r := runOf(rep, label); r != nil {
		sub.Runs = []report.Run{*r}
	}
	return sub, base
}

// runRow builds the runs row from the source and its analysis.
func runRow(s Source, rep *report.Report, rr *report.Run) store.Run {
	row := store.Run{Run: s.Label, Source: s.Path, Kind: s.Kind, Status: store.StatusOK, Fingerprint: s.Fingerprint,
		AnalysedAt: time.Now().UTC().Truncate(time.Second), Permissions: permissions(s.Meta)}
	if m := s.Meta; m != nil {
		row.PermissionStates, row.Category, row.Device, row.App, row.Started, row.Steps = m.Permissions, m.Category, m.Device, m.App, m.Started, m.Steps
	}
	if s.Err != nil || rep == nil || rr == nil {
		row.Status = store.StatusFailed
		row.Error = "no result"
		if s.Err != nil {
			row.Error = s.Err.Error()
		}
		if row.Permissions == "" {
			row.Permissions = runfolder.Unknown
		}
		return row
	}
	row.Permissions = rr.Permissions
	row.Requests = rr.Requests
	row.Extends, row.SkipLines, row.Lines = rr.Extends, rr.SkipLines, rr.Lines
	for _, q := range rep.Requests {
		if q.Run == s.Label && q.Size > 0 {
			row.DecryptedPayloads++
		}
	}
	for _, f := range rep.Findings {
		if f.Run == s.Label {
			row.Findings++
		}
	}
	row.DataTypes = rep.DataTypes(s.Label)
	row.MiniProgramBrowsing = miniProgramBrowsing(rep, s.Label)
	if d := rr.Decryption; d != nil {
		enc, dec, pnd := d.RecordsEncrypted, d.RecordsDecrypted, 0
		for _, v := range d.PayloadsNotDecrypted {
			pnd += v
		}
		row.RecordsEncrypted, row.RecordsDecrypted, row.PayloadsNotDecrypted = &enc, &dec, &pnd
		if enc > 0 {
			c := float64(dec) / float64(enc)
			row.Coverage = &c
		}
		row.NotDecrypted = d.NotDecrypted()
		if d.Error != "" {
			row.NotDecrypted = append(row.NotDecrypted, "capture: "+d.Error)
		}
	}
	for _, e := range rep.Errors {
		// A capture is analysed alone; a log's errors name it ("decode:
		// PATH:LINE: ...") and it may share its job with its chain.
		if s.Kind == store.KindCapture && len(rep.Runs) == 1 || strings.Contains(e, s.Path+":") {
			row.AnalysisErrors++
		}
	}
	if row.Requests == 0 && (s.Kind == store.KindLog || rr.Decryption == nil || rr.Decryption.Connections == 0) {
		row.Status = store.StatusFailed
		row.Error = "no requests found in the input"
	}
	return row
}
