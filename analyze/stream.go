package analyze

import (
	"context"
	"path/filepath"

	"github.com/wxaudit/wxaudit/report"
)

// Stream analyses the inputs as Write does, with memory bounded by one
// request and the summaries, but hands each completed request and its
// findings to fn, in input order (a run's requests are consecutive),
// instead of writing a report folder: for a caller that stores runs
// elsewhere (the corpus store). The report it returns has no requests or
// findings. Its spool, a file that holds decrypted payloads, is made in
// the folder spoolDir (the owner's only) and removed at the end.
func Stream(ctx context.Context, inputs []Input, opts Options, spoolDir string, fn func(q *report.Request, fs []report.Finding) error) (*report.Report, error) {
	sp, err := newFileSpool(filepath.Join(spoolDir, "analyze"))
	if err != nil {
		return nil, err
	}
	defer sp.remove()
	return run(ctx, inputs, opts, sp, funcSink(fn))
}

type funcSink func(q *report.Request, fs []report.Finding) error

func (s funcSink) add(q *report.Request, fs []report.Finding) error { return s(q, fs) }
