package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// FindingHit is a finding whose value holds a search's text.
type FindingHit struct {
	Run       string
	Request   int
	URI       string
	FieldPath string
	DataType  string
	Value     string
}

// SearchFindings returns up to limit findings whose value holds needle,
// ASCII letters compared case-insensitively (instr(lower(value), needle):
// needle should be lowercase), in run, request and id order. It walks the
// runs on the gram of needle likely to be rarest (walkGram), checks each
// distinct value on up to two more of its grams, then reads and sorts the
// run's findings that hold the values.
func (s *Store) SearchFindings(ctx context.Context, needle string, limit int) ([]FindingHit, error) {
	if needle == "" || len(needle) > maxQuery {
		return nil, fmt.Errorf("store: search findings: a query of %d bytes", len(needle))
	}
	gs := rareGrams(textChars(needle), 3)
	args := []any{}
	for _, g := range gs {
		args = append(args, g)
	}
	rows, err := s.db.QueryContext(ctx, findingsQuery(len(gs)), append(args, needle, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: search findings: %w", err)
	}
	defer rows.Close()
	var out []FindingHit
	for rows.Next() {
		var h FindingHit
		if err := rows.Scan(&h.Run, &h.Request, &h.URI, &h.FieldPath, &h.DataType, &h.Value); err != nil {
			return nil, fmt.Errorf("store: search findings: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// findingsQuery matches finding values on n grams, then instr.
func findingsQuery(n int) string {
	query := `SELECT r.run, f.request, f.uri, f.field_path, f.data_type, f.value
		FROM runids r CROSS JOIN findings_grams g ON g.runid = r.runid AND g.gram = ?1
			AND r.runid IN (SELECT runid FROM gram_runs WHERE tbl = 'findings_grams' AND gram = ?1)`
	for range n - 1 {
		query += ` AND EXISTS (SELECT 1 FROM findings_grams h WHERE h.runid = g.runid AND h.gram = ? AND h.vid = g.vid)`
	}
	// Each run's matching findings are sorted, one run at a time; CROSS
	// JOIN keeps the planner from scanning every finding first.
	return query + ` CROSS JOIN findings f ON f.run = r.run AND f.vid = g.vid
		WHERE instr(lower(f.value), ?) > 0 ORDER BY r.run, f.request, f.id LIMIT ?`
}

// EndpointHit is a request whose endpoint holds a search's text.
type EndpointHit struct {
	Run     string
	Request int // RequestDetail.ID
	URI     string
}

// SearchEndpoints returns up to limit requests whose endpoint holds
// needle (instr(lower(uri), needle): needle should be lowercase), in run
// and seq order. The endpoints are few: it matches them one by one, then
// reads each run's requests to the matching ones off requests_uri.
func (s *Store) SearchEndpoints(ctx context.Context, needle string, limit int) ([]EndpointHit, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT uri FROM uris WHERE instr(lower(uri), ?) > 0`, needle)
	if err != nil {
		return nil, fmt.Errorf("store: search endpoints: %w", err)
	}
	var uris []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: search endpoints: %w", err)
		}
		uris = append(uris, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(uris) == 0 {
		return nil, err
	}
	list, _ := json.Marshal(uris)
	rows, err = s.db.QueryContext(ctx, endpointsQuery, string(list), limit)
	if err != nil {
		return nil, fmt.Errorf("store: search endpoints: %w", err)
	}
	defer rows.Close()
	var out []EndpointHit
	for rows.Next() {
		var h EndpointHit
		if err := rows.Scan(&h.Run, &h.Request, &h.URI); err != nil {
			return nil, fmt.Errorf("store: search endpoints: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// endpointsQuery reads the requests to a JSON list of endpoints, run by
// run.
const endpointsQuery = `SELECT r.run, q.id, q.uri
	FROM runids r CROSS JOIN requests q ON q.run = r.run AND q.uri IN (SELECT value FROM json_each(?))
	ORDER BY r.run, q.seq LIMIT ?`

// rareGrams returns up to n distinct grams of the characters cs, the
// likely rarest first (walkGram's rule of thumb): the query itself when it
// is one or two characters.
func rareGrams(cs []string, n int) []string {
	if len(cs) <= maxGramRunes {
		return []string{strings.Join(cs, "")}
	}
	type scored struct {
		g     string
		score rune
	}
	var all []scored
	seen := map[string]bool{}
	for i := 0; i+1 < len(cs); i++ {
		g := cs[i] + cs[i+1]
		if seen[g] {
			continue
		}
		seen[g] = true
		r1, _ := utf8.DecodeRuneInString(cs[i])
		r2, _ := utf8.DecodeRuneInString(cs[i+1])
		all = append(all, scored{g, min(r1, r2)})
	}
	// Stable: the query's order among equal scores.
	slices.SortStableFunc(all, func(a, b scored) int { return int(b.score - a.score) })
	var out []string
	for _, a := range all[:min(n, len(all))] {
		out = append(out, a.g)
	}
	return out
}
