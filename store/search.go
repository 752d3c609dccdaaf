package store

import (
	"context"
	"fmt"
	"strings"
)

// maxQuery bounds a search query.
const maxQuery = 1000

// ftsSortable is the most trigram-index hits a longer query sorts; with
// more, sorting them all costs more than walking the runs in order.
var ftsSortable = 1024

// Search finds the decoded string values that contain q as a substring,
// case-insensitively for ASCII letters (as LIKE compares), in any script.
// A query holding a NUL finds nothing. Hits come in run, request and
// field order.
//
// Queries of one or two characters (a trigram cannot answer them, and a
// Chinese word is often two characters) look their gram up in
// strings_grams run by run: the walk over the runs stops at the page's
// end. Longer queries ask the trigram index how
// many values may hold them: up to ftsSortable, its hits are sorted; a
// query found more often walks the runs the same way on one of its
// two-character grams. Either way LIKE has the last word, so that every
// length compares case the same way (the trigram index also folds
// non-ASCII letters).
func (s *Store) Search(ctx context.Context, q string, f SearchFilter) ([]Hit, error) {
	if q == "" {
		return nil, fmt.Errorf("store: search: empty query")
	}
	if len(q) > maxQuery {
		return nil, fmt.Errorf("store: search: query longer than %d bytes", maxQuery)
	}
	if strings.ContainsRune(q, 0) {
		return nil, nil // LIKE would stop reading the query there: no substring to look for
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
	var query string
	var args []any
	cs := chars(q)
	walk := len(cs) <= maxGramRunes // as SQLite counts: a trigram needs three of its characters
	if !walk {
		phrase := `"` + strings.ReplaceAll(q, `"`, `""`) + `"` // a quoted FTS5 string is a phrase: "contains q"
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM strings_fts WHERE strings_fts MATCH ? LIMIT ?)`,
			phrase, ftsSortable+1).Scan(&n); err != nil {
			return nil, fmt.Errorf("store: search: %w", err)
		}
		walk = n > ftsSortable
		query = `SELECT s.run, s.request, s.field_path, s.value, coalesce(q.feature, ''), coalesce(q.uri, '')
			FROM strings s LEFT JOIN requests q ON q.run = s.run AND q.id = s.request
			WHERE s.id IN (SELECT rowid FROM strings_fts WHERE strings_fts MATCH ?) AND s.value LIKE ? ESCAPE '\'`
		args = append(args, phrase, like)
		if f.Run != "" {
			query += ` AND s.run = ?`
			args = append(args, f.Run)
		}
		query += ` ORDER BY s.run, s.request, s.id`
	}
	if walk {
		// runids drives the join in label order, each run's hits stream in
		// order off strings_grams' key: no sort, and the page's end stops
		// the walk.
		query = walkQuery
		args = []any{walkGram(cs), like}
		if f.Run != "" {
			query += ` AND r.run = ?3`
			args = append(args, f.Run)
		}
		query += ` ORDER BY r.run, g.request, g.id`
	}
	hits, err := s.hits(ctx, query, args, f.Page)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	return hits, nil
}

// hits runs a search query, whose columns are a Hit's, on one page.
func (s *Store) hits(ctx context.Context, query string, args []any, p Page) ([]Hit, error) {
	limit, offset := p.bounds()
	rows, err := s.db.QueryContext(ctx, query+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Hit
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.Run, &h.Request, &h.FieldPath, &h.Value, &h.Feature, &h.URI); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// walkQuery reads one gram's hits run by run, each run's in (request, id)
// order off the key. CROSS JOIN fixes the order of the loops: left to the
// planner, it may scan every string first.
const walkQuery = `SELECT r.run, g.request, s.field_path, s.value, coalesce(q.feature, ''), coalesce(q.uri, '')
	FROM runids r CROSS JOIN strings_grams g ON g.runid = r.runid AND g.gram = ?1
		AND r.runid IN (SELECT runid FROM gram_runs WHERE tbl = 'strings_grams' AND gram = ?1)
	CROSS JOIN strings s ON s.id = g.id
	LEFT JOIN requests q ON q.run = r.run AND q.id = g.request
	WHERE s.value LIKE ?2 ESCAPE '\'`

// walkGram picks the gram of the query's characters cs that the walk
// looks up: the query itself when it is one or two characters, else the
// two-character gram likely to be rarest, by the rule of thumb that
// higher code points (CJK before Latin letters before digits and
// punctuation) are rarer in WeChat's strings. Every value holding the
// query holds each of its grams, so any choice gives the same hits.
func walkGram(cs []string) string { return rareGrams(cs, 1)[0] }
