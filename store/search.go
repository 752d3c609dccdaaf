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
// answer them, and a Chinese word is often two characters) scan the
// values with LIKE. Hits come in run, request and field order.
func (s *Store) Search(ctx context.Context, q string, f SearchFilter) ([]Hit, error) {
	if q == "" {
		return nil, fmt.Errorf("store: search: empty query")
	}
	if len(q) > maxQuery {
		return nil, fmt.Errorf("store: search: query longer than %d bytes", maxQuery)
	}
	limit, offset := f.bounds()
	var match string
	args := []any{}
	if utf8.RuneCountInString(q) >= 3 {
		// A quoted FTS5 string is a phrase: with the trigram tokenizer,
		// exactly "contains q". Quotes inside are doubled.
		match = `s.id IN (SELECT rowid FROM strings_fts WHERE strings_fts MATCH ?)`
		args = append(args, `"`+strings.ReplaceAll(q, `"`, `""`)+`"`)
	} else {
		match = `s.value LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscape(q)+"%")
	}
	if f.Run != "" {
		match += ` AND s.run = ?`
		args = append(args, f.Run)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT s.run, s.request, s.field_path, s.value, coalesce(r.feature, ''), coalesce(r.uri, '')
		FROM strings s LEFT JOIN requests r ON r.run = s.run AND r.id = s.request
		WHERE `+match+` ORDER BY s.run, s.request, s.id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
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

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
