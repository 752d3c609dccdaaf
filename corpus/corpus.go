package corpus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
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
	if err := checkOut(opts.Out); err != nil {
		return nil, err
	}
	// The folder is the owner's only: the store and the spools hold every
	// value in clear (doc/privacy.md).
	if err := os.MkdirAll(opts.Out, 0o700); err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	if err := os.Chmod(opts.Out, 0o700); err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	unlock, err := lock(ctx, opts.Out, func() {
		opts.notice("waiting for another corpus run on %s to finish", opts.Out)
	})
	if err != nil {
		return nil, err
	}
	defer unlock()
	// With the lock held no other run is using the staging folder: what
	// is in it was left by a run that was killed.
	staging := filepath.Join(opts.Out, stagingDir)
	if ents, _ := os.ReadDir(staging); len(ents) > 0 {
		opts.notice("removed %d files of decrypted payloads and staged tables in %s, left by an earlier run that was killed", len(ents), staging)
	}
	if err := os.RemoveAll(staging); err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	if swept, _ := leftover.Sweep(opts.Out, ""); len(swept) > 0 {
		for _, p := range swept {
			opts.notice("removed %s, left by an earlier run that was killed", p)
		}
	}
	if err := os.Mkdir(staging, 0o700); err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	defer os.RemoveAll(staging)
	st, err := store.Open(filepath.Join(opts.Out, store.FileName))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	key, err := st.RedactionKey(ctx)
	if err != nil {
		return nil, err
	}
	stored, err := st.Runs(ctx)
	if err != nil {
		return nil, err
	}
	srcs, err := Discover(paths, opts.Settings)
	if err != nil {
		return nil, err
	}
	known := map[string]string{}
	prev := map[string]store.Run{}
	for _, r := range stored {
		known[r.Source] = r.Run
		prev[r.Run] = r
	}
	assignLabels(srcs, known)

	res := &Result{}
	var todo []Source
	for _, s := range srcs {
		if p, ok := prev[s.Label]; opts.Add && ok && s.Err == nil && p.Fingerprint == s.Fingerprint {
			res.Skipped = append(res.Skipped, s.Label)
			continue
		}
		todo = append(todo, s)
	}
	// Request logs are analysed together (they may extend one another);
	// if one changed, all of them are analysed again.
	var logs []Source
	var jobs [][]Source
	for _, s := range srcs {
		if s.Kind == store.KindLog && s.Err == nil {
			logs = append(logs, s)
		}
	}
	logsChanged := false
	for _, s := range todo {
		if s.Kind == store.KindLog && s.Err == nil {
			logsChanged = true
		}
	}
	for _, s := range todo {
		if s.Kind != store.KindLog || s.Err != nil {
			jobs = append(jobs, []Source{s})
		}
	}
	if logsChanged {
		jobs = append(jobs, logs)
		res.Skipped = without(res.Skipped, logs)
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
	m, err := ComputeMetrics(ctx, st)
	if err != nil {
		return res, err
	}
	res.Metrics = m
	doc, err := ComputeClaims(ctx, st, opts)
	if err != nil {
		return res, err
	}
	res.Claims = doc
	if err := writeClaims(opts.Out, doc); err != nil {
		return res, err
	}
	if err := writeOutputs(opts.Out, st, m, doc.Claims); err != nil {
		return res, err
	}
	return res, nil
}

func without(labels []string, drop []Source) []string {
	d := map[string]bool{}
	for _, s := range drop {
		d[s.Label] = true
	}
	var out []string
	for _, l := range labels {
		if !d[l] {
			out = append(out, l)
		}
	}
	return out
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

// job analyses one job's sources (one capture run, or every request log)
// and stores each run.
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
		in := analyze.Input{Path: s.Path, Label: s.Label, Permissions: permissions(s.Meta)}
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
	rep, err := analyze.Run(ctx, inputs, aopts)
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
		w.put(ctx, s, rep, sp, runOf(rep, s.Label))
	}
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
	w.mu.Lock()
	defer w.mu.Unlock()
	if ctx.Err() != nil || w.fatal != nil {
		return
	}
	// The shareable tables always; the raw ones with --reveal. Both are
	// staged before the store changes, and committed after.
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
		if len(rep.Runs) == 1 || containsLabel(e, s) {
			row.AnalysisErrors++
		}
	}
	if row.Requests == 0 && (s.Kind == store.KindLog || rr.Decryption == nil || rr.Decryption.Connections == 0) {
		row.Status = store.StatusFailed
		row.Error = "no requests found in the input"
	}
	return row
}

func containsLabel(msg string, s Source) bool {
	return len(msg) >= len(s.Path) && (msg[:len(s.Path)] == s.Path)
}
