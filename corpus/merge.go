package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/store"
	"github.com/wxaudit/wxaudit/store/parquet"
)

// Merge joins corpus folders written by shards (corpus --shard i/n, the
// map step of a batch engine) into the corpus folder opts.Out: each run
// moves through the store's own API (Runs, Replay, Gaps, Payloads into
// PutRun), so whatever the store keeps of a run comes along, and its
// Parquet partitions are copied as they are. The metrics and claims are
// then computed as Run computes them, so they equal one corpus run over
// all the shards' runs. The shards must share one redaction key (corpus
// --key), else their shareable tables would give one value several
// pseudonyms; a run in two shards is an error.
func Merge(ctx context.Context, shards []string, opts Options) (*Result, error) {
	if len(shards) == 0 {
		return nil, errors.New("corpus: merge: no shard folders")
	}
	out, _ := filepath.Abs(opts.Out)
	srcs := make([]*store.Store, len(shards))
	for i, dir := range shards {
		if abs, _ := filepath.Abs(dir); abs == out {
			return nil, fmt.Errorf("corpus: merge: --out %s is one of the shard folders: merge into a new folder", opts.Out)
		}
		st, err := store.OpenReadOnly(filepath.Join(dir, store.FileName))
		if err != nil {
			return nil, fmt.Errorf("corpus: merge: %s: %w", dir, err)
		}
		defer st.Close()
		srcs[i] = st
	}
	var key []byte
	owner := map[string]string{} // run → the shard folder it is in
	for i, st := range srcs {
		k, err := st.StoredRedactionKey(ctx)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			key = k
		} else if !bytes.Equal(k, key) {
			return nil, fmt.Errorf("corpus: merge: %s and %s have different redaction keys: their shareable tables give one value different pseudonyms; write the shards with one --key FILE", shards[0], shards[i])
		}
		runs, err := st.Runs(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range runs {
			if d, ok := owner[r.Run]; ok {
				return nil, fmt.Errorf("corpus: merge: run %s is in %s and in %s: shards of one study hold each run once", r.Run, d, shards[i])
			}
			owner[r.Run] = shards[i]
		}
	}
	st, staging, done, err := openCorpus(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer done()
	if key != nil {
		if err := st.UseRedactionKey(ctx, key); err != nil {
			return nil, fmt.Errorf("corpus: merge into %s: %w", opts.Out, err)
		}
	}
	for _, f := range []string{MetricsFile, ReportFile, ClaimsFile} {
		os.Remove(filepath.Join(opts.Out, f))
	}
	res := &Result{}
	for i, src := range srcs {
		runs, err := src.Runs(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range runs {
			if err := moveRun(ctx, src, st, r, shards[i], opts.Out, staging); err != nil {
				return res, err
			}
			res.Analysed = append(res.Analysed, r.Run)
			if r.Status == store.StatusFailed {
				res.Failed = append(res.Failed, r.Run)
			}
		}
	}
	return res, finish(ctx, st, opts, res)
}

// moveRun copies one run from the store src into dst, then its Parquet
// partitions from the shard folder into out.
func moveRun(ctx context.Context, src, dst *store.Store, r store.Run, shard, out, staging string) error {
	sub := &report.Report{Policy: &report.PolicyResult{}}
	err := src.Replay(ctx, r.Run, func(q *report.Request, fs []report.Finding) error {
		sub.Requests = append(sub.Requests, *q)
		sub.Findings = append(sub.Findings, fs...)
		return nil
	})
	if err != nil {
		return err
	}
	if sub.Policy.Gaps, err = runGaps(ctx, src, r.Run); err != nil {
		return err
	}
	staged, err := stagePartitions(shard, out, staging, r.Run)
	if err != nil {
		return err
	}
	if err := dst.PutRun(ctx, r, sub, src.Payloads(ctx, r.Run)); err != nil {
		os.RemoveAll(staged.dir)
		return err
	}
	return staged.commit()
}

// partitions are one run's Parquet files copied from a shard into staging.
type partitions struct {
	dir   string
	moves [][2]string // staged file → its place in the corpus
}

// stagePartitions copies every partition of run under the shard's
// parquet/ and parquet-raw/ (whatever tables they hold) into staging.
func stagePartitions(shard, out, staging, run string) (*partitions, error) {
	dir, err := os.MkdirTemp(staging, "merge-")
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	p := &partitions{dir: dir}
	part := filepath.Base(parquet.PartitionDir("", "t", run))
	for _, root := range []string{parquet.Dir, parquet.RawDir} {
		tables, err := os.ReadDir(filepath.Join(shard, root))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("corpus: merge: %w", err)
		}
		for _, t := range tables {
			from := filepath.Join(shard, root, t.Name(), part)
			files, err := os.ReadDir(from)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				os.RemoveAll(dir)
				return nil, fmt.Errorf("corpus: merge: %w", err)
			}
			for _, f := range files {
				tmp := filepath.Join(dir, fmt.Sprintf("%d", len(p.moves)))
				if err := copyNew(filepath.Join(from, f.Name()), tmp); err != nil {
					os.RemoveAll(dir)
					return nil, fmt.Errorf("corpus: merge: %w", err)
				}
				p.moves = append(p.moves, [2]string{tmp, filepath.Join(out, root, t.Name(), part, f.Name())})
			}
		}
	}
	return p, nil
}

// commit renames the staged files into place (each rename atomic).
func (p *partitions) commit() error {
	defer os.RemoveAll(p.dir)
	for _, m := range p.moves {
		if err := os.MkdirAll(filepath.Dir(m[1]), 0o700); err != nil {
			return fmt.Errorf("corpus: %w", err)
		}
		if err := os.Rename(m[0], m[1]); err != nil {
			return fmt.Errorf("corpus: %w", err)
		}
	}
	return nil
}

func copyNew(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
