package store

import (
	"context"
	"fmt"

	"github.com/wxaudit/wxaudit/report"
)

// Replay calls fn for each request of run, in order, with the request's
// findings: what analyze's claims tally was given when the run was
// analysed, so that a corpus states its claims by the same computation.
// It streams two ordered queries side by side; memory is one request's
// findings. Payloads are not read.
func (s *Store) Replay(ctx context.Context, run string, fn func(q *report.Request, fs []report.Finding) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+requestColumns+` FROM requests r WHERE r.run = ? ORDER BY r.id`, run)
	if err != nil {
		return fmt.Errorf("store: replay: %w", err)
	}
	defer rows.Close()
	next, stop, err := s.findingStream(ctx, run)
	if err != nil {
		return err
	}
	defer stop()
	var pending *report.Finding
	var fs []report.Finding
	for rows.Next() {
		q, err := scanRequest(rows)
		if err != nil {
			return fmt.Errorf("store: replay: %w", err)
		}
		fs = fs[:0]
		for {
			if pending == nil {
				if pending, err = next(); err != nil {
					return err
				}
			}
			if pending == nil || pending.Request > q.ID {
				break
			}
			if pending.Request == q.ID {
				fs = append(fs, *pending)
			}
			pending = nil
		}
		if err := fn(&q, fs); err != nil {
			return err
		}
	}
	return rows.Err()
}

// findingStream returns the findings of run in request order, one at a
// time (nil at the end), in the order analyze wrote them.
func (s *Store) findingStream(ctx context.Context, run string) (func() (*report.Finding, error), func(), error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+findingColumns+` FROM findings WHERE run = ? ORDER BY request, rowid`, run)
	if err != nil {
		return nil, nil, fmt.Errorf("store: replay: %w", err)
	}
	next := func() (*report.Finding, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		f, err := scanFinding(rows)
		if err != nil {
			return nil, fmt.Errorf("store: replay: %w", err)
		}
		return &f, nil
	}
	return next, func() { rows.Close() }, nil
}
