package analyze

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/wxaudit/wxaudit/internal/sniff"
	"github.com/wxaudit/wxaudit/report"
)

// Side is one side of a comparison: a report directory or an input (log,
// payloads or capture), optionally restricted to some of its runs.
type Side struct {
	Path string
	Runs []string // run labels to keep; all when empty
}

// CompareOptions configure Compare.
type CompareOptions struct {
	// Keylogs decrypt two captures compared as inputs; a capture without
	// one is an error, as in analyze.
	Keylogs []string
	// Reveal shows identifying values; otherwise they are the pseudonyms
	// a shared report uses (canaries are hidden either way).
	Reveal bool
}

// Compare returns what only a and only b send, its values redacted as a
// shared report redacts them (opts.Reveal shows them). Two report
// directories are read back whole; two inputs are analysed together, so
// that a log that extends the other contributes only its own requests, and
// each side is its own file's run. Mixing a report directory with an input
// is an error.
func Compare(ctx context.Context, a, b Side, opts CompareOptions) (report.DiffResult, error) {
	ra, rb, la, lb, err := compareSides(ctx, a.Path, b.Path, opts.Keylogs)
	if err != nil {
		return report.DiffResult{}, err
	}
	if ra, la, err = restrict(ra, la, a.Runs); err != nil {
		return report.DiffResult{}, err
	}
	if rb, lb, err = restrict(rb, lb, b.Runs); err != nil {
		return report.DiffResult{}, err
	}
	both := &report.Report{Findings: append(append([]report.Finding(nil), ra.Findings...), rb.Findings...)}
	rd := report.NewRedactor(both, nil)
	if opts.Reveal {
		rd = report.NewRevealer(both)
	}
	return report.Diff(ra, rb, la, lb).Redacted(rd), nil
}

func restrict(r *report.Report, label string, runs []string) (*report.Report, string, error) {
	if len(runs) == 0 {
		return r, label, nil
	}
	if err := r.CheckRuns(runs...); err != nil {
		return nil, "", err
	}
	return r.Only(runs...), strings.Join(runs, ","), nil
}

func isReportDir(p string) bool {
	_, err := os.Stat(filepath.Join(p, report.FindingsFile))
	return err == nil
}

func compareSides(ctx context.Context, pa, pb string, keylogs []string) (a, b *report.Report, la, lb string, err error) {
	switch {
	case isReportDir(pa) && isReportDir(pb):
		if a, err = report.ReadDir(pa); err != nil {
			return
		}
		b, err = report.ReadDir(pb)
		return a, b, pa, pb, err
	case !isReportDir(pa) && !isReportDir(pb):
		ls := Labels([]string{pa, pb})
		la, lb = ls[0], ls[1]
		var inputs []Input
		if inputs, err = Inputs([]string{pa, pb}, []string{la, lb}, nil, keylogs); err != nil {
			return
		}
		var rep *report.Report
		rep, err = Run(ctx, inputs, Options{})
		if err != nil {
			return
		}
		return rep.Only(la), rep.Only(lb), la, lb, nil
	}
	err = sniff.Hinted(errMixedSides, "run wxaudit analyze --out DIR on each input first")
	return
}

var errMixedSides = errors.New("diff: give two report directories or two inputs, not one of each")
