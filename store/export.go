package store

import (
	"context"
	"fmt"
)

// Payloads returns an iterator over run's payloads and decoded strings in
// request order, the shape PutRun takes: a run moves from one store to
// another (corpus merge) through the same API that stored it. It streams
// two ordered queries side by side; memory is one request's strings.
func (s *Store) Payloads(ctx context.Context, run string) func(yield func(Payload) error) error {
	return func(yield func(Payload) error) error {
		rows, err := s.db.QueryContext(ctx, `SELECT id, payload FROM requests WHERE run = ? ORDER BY id`, run)
		if err != nil {
			return fmt.Errorf("store: payloads: %w", err)
		}
		defer rows.Close()
		strs, err := s.db.QueryContext(ctx, `SELECT request, field_path, value FROM strings WHERE run = ? ORDER BY request, id`, run)
		if err != nil {
			return fmt.Errorf("store: payloads: %w", err)
		}
		defer strs.Close()
		var pending *struct {
			req int
			str String
		}
		nextString := func() error {
			pending = nil
			if !strs.Next() {
				return strs.Err()
			}
			pending = &struct {
				req int
				str String
			}{}
			return strs.Scan(&pending.req, &pending.str.FieldPath, &pending.str.Value)
		}
		if err := nextString(); err != nil {
			return fmt.Errorf("store: payloads: %w", err)
		}
		for rows.Next() {
			var p Payload
			var b []byte
			if err := rows.Scan(&p.Request, &b); err != nil {
				return fmt.Errorf("store: payloads: %w", err)
			}
			p.Bytes = b
			for pending != nil && pending.req <= p.Request {
				if pending.req == p.Request {
					p.Strings = append(p.Strings, pending.str)
				}
				if err := nextString(); err != nil {
					return fmt.Errorf("store: payloads: %w", err)
				}
			}
			if p.Bytes == nil && len(p.Strings) == 0 {
				continue
			}
			if err := yield(p); err != nil {
				return err
			}
		}
		return rows.Err()
	}
}

// UseRedactionKey makes key the store's redaction key (RedactionKey),
// so that the shareable tables of several corpus folders (the shards of
// one study) give one value one pseudonym. A store that already has
// another key is an error: its tables were written under that one.
func (s *Store) UseRedactionKey(ctx context.Context, key []byte) error {
	if len(key) != 32 {
		return fmt.Errorf("store: a redaction key is 32 bytes, not %d", len(key))
	}
	have, err := s.StoredRedactionKey(ctx)
	if err != nil {
		return err
	}
	if have == nil {
		if _, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO meta(key, value) VALUES ('redaction_key', ?)`, fmt.Sprintf("%x", key)); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if have, err = s.StoredRedactionKey(ctx); err != nil {
			return err
		}
	}
	if string(have) != string(key) {
		return errKeyDiffers
	}
	return nil
}

var errKeyDiffers = fmt.Errorf("store: the store has another redaction key: its shareable tables were written under that one")
