package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxQuery bounds a search query.
const maxQuery = 1000

// Search finds the decoded string values that contain q as a substring,
// case-insensitively for ASCII letters, in any script. Queries of three
// characters or more use the trigram index; shorter ones (a trigram cannot
// answer them, and a Chinese word is often two characters) use the gram
// table, which gives the hits LIKE would. A query holding a NUL finds
// nothing. Hits come in run, request and field order.
func (s *Store) Search(ctx context.Context, q string, f SearchFilter) ([]Hit, error) {
	if q == "" {
		return nil, fmt.Errorf("store: search: empty query")
	}
	if len(q) > maxQuery {
		return nil, fmt.Errorf("store: search: query longer than %d bytes", maxQuery)
	}
	limit, offset := f.bounds()
	var query string
	var args []any
	if strings.ContainsRune(q, 0) {
		return nil, nil // LIKE would stop reading the query there: no substring to look for
	}
	if utf8.RuneCountInString(q) <= maxGramRunes {
		// runs drives the join in label order (CROSS JOIN keeps it
		// outside), and each run's grams come in (request, id) order off
		// the key: no sort, and the page ends the walk.
		query = `SELECT r.run, g.request, s.field_path, s.value, coalesce(q.feature, ''), coalesce(q.uri, '')
			FROM string_runs r CROSS JOIN strings_grams g ON g.runid = r.runid AND g.gram = ?
			JOIN strings s ON s.id = g.id
			LEFT JOIN requests q ON q.run = r.run AND q.id = g.request`
		args = append(args, strings.Join(chars(q), "")) // SQLite reads no more characters than Go
		if f.Run != "" {
			query += ` WHERE r.run = ?`
			args = append(args, f.Run)
		}
		query += ` ORDER BY r.run, g.request, g.id`
	} else {
		// A quoted FTS5 string is a phrase: with the trigram tokenizer,
		// exactly "contains q". Quotes inside are doubled.
		query = `SELECT s.run, s.request, s.field_path, s.value, coalesce(r.feature, ''), coalesce(r.uri, '')
			FROM strings s LEFT JOIN requests r ON r.run = s.run AND r.id = s.request
			WHERE s.id IN (SELECT rowid FROM strings_fts WHERE strings_fts MATCH ?)`
		args = append(args, `"`+strings.ReplaceAll(q, `"`, `""`)+`"`)
		if f.Run != "" {
			query += ` AND s.run = ?`
			args = append(args, f.Run)
		}
		query += ` ORDER BY s.run, s.request, s.id`
	}
	rows, err := s.db.QueryContext(ctx, query+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	defer rows.Close()
	var out []Hit
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.Run, &h.Request, &h.FieldPath, &h.Value, &h.Feature, &h.URI); err != nil {
			return nil, fmt.Errorf("store: search: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
