package serve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/filter"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/store"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// StoreSource serves a corpus folder through its store. Lists are paged in
// SQL, so memory does not grow with the corpus; the request list's filter
// expression is translated to SQL over the store's documented schema.
//
// Request IDs are "RUN:N" (the store numbers requests per run); finding IDs
// are unique per run, so finding URLs carry the run (?run=).
type StoreSource struct {
	st    *store.Store
	title string
	// claims are the corpus's claims.json (corpus.ComputeClaims): the same
	// computation as a report folder's, over every run.
	claims []report.Claim
}

// openStore opens dir's store, or returns nil, nil when dir has none.
func openStore(dir string) (Source, error) {
	path := filepath.Join(dir, store.FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, nil
	}
	st, err := store.OpenReadOnly(path)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	title, _ := filepath.Abs(dir)
	src := &StoreSource{st: st, title: filepath.Base(title)}
	if src.claims, _, err = report.ReadClaims(dir); err != nil {
		st.Close()
		return nil, fmt.Errorf("serve: %w", err)
	}
	return src, nil
}

// NewStoreSource serves st.
func NewStoreSource(st *store.Store, title string) *StoreSource {
	return &StoreSource{st: st, title: title}
}

func reqID(run string, id int) string { return run + ":" + strconv.Itoa(id) }

func splitReqID(id string) (string, int, bool) {
	i := strings.LastIndexByte(id, ':')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(id[i+1:])
	return id[:i], n, err == nil
}

// Overview implements Source.
func (s *StoreSource) Overview(ctx context.Context) (*Overview, error) {
	runs, err := s.st.Runs(ctx)
	if err != nil {
		return nil, err
	}
	o := &Overview{Title: s.title, Counts: map[string]map[string]int{}, Claims: s.claims}
	for _, r := range runs {
		run := report.Run{Label: r.Run, Source: r.Source, Requests: r.Requests, Permissions: r.Permissions,
			Extends: r.Extends, SkipLines: r.SkipLines, Lines: r.Lines}
		if r.Extends != "" {
			run.LineSpan = fmt.Sprintf("%d-%d", r.SkipLines+1, r.Lines)
		}
		if r.RecordsEncrypted != nil {
			run.Decryption = &report.Decryption{RecordsEncrypted: *r.RecordsEncrypted, RecordsDecrypted: *r.RecordsDecrypted,
				Payloads: r.DecryptedPayloads, Error: r.Error}
		}
		o.Runs = append(o.Runs, run)
	}
	cells, err := s.st.Matrix(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, c := range cells {
		if o.Counts[c.Run] == nil {
			o.Counts[c.Run] = map[string]int{}
		}
		o.Counts[c.Run][c.DataType] = c.Findings
		seen[c.DataType] = true
	}
	o.DataTypes = taxonomyOrder(seen)
	if _, n, err := s.st.Gaps(ctx, store.GapFilter{Page: store.Page{Limit: 1}}); err == nil && n > 0 {
		o.Policy, o.Gaps = "the policy model", n
	}
	return o, nil
}

// taxonomyOrder lists a set of data types in taxonomy order.
func taxonomyOrder(set map[string]bool) []string {
	var out []string
	for _, t := range taxonomy.All {
		if set[string(t.Name)] {
			out = append(out, string(t.Name))
		}
	}
	return out
}

// Requests implements Source.
func (s *StoreSource) Requests(ctx context.Context, q Query) (*RequestPage, error) {
	where, args := sqlWhere(q.Where)
	limit := clampLimit(q.Limit)
	p := &RequestPage{Offset: max(q.Offset, 0), Limit: limit, Requests: []Request{}}
	db := s.st.DB()
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM requests WHERE `+where, args...).Scan(&p.Total); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT run, id, seq, time, feature, recipient, uri, req_type, size, data_types,
		coalesce((SELECT permissions FROM runs WHERE runs.run = requests.run), '')
		FROM requests WHERE `+where+` ORDER BY `+sqlOrder(q.Sort)+`run, seq LIMIT ? OFFSET ?`, append(args, limit, p.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var q Request
		var id int
		var dts string
		if err := rows.Scan(&q.Run, &id, &q.Seq, &q.Time, &q.Feature, &q.Recipient, &q.URI, &q.ReqType, &q.Size, &dts, &q.Permissions); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		q.ID = reqID(q.Run, id)
		q.DataTypes = jsonList(dts)
		p.Requests = append(p.Requests, q)
	}
	return p, rows.Err()
}

// Request implements Source.
func (s *StoreSource) Request(ctx context.Context, id string) (*RequestDetail, error) {
	run, n, ok := splitReqID(id)
	if !ok {
		return nil, ErrNotFound
	}
	d, err := s.st.Request(ctx, run, n)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	q := d.Request
	out := &RequestDetail{Request: Request{ID: id, Run: q.Run, Seq: q.Seq, Time: q.Time, Feature: q.Feature, Recipient: q.Recipient,
		URI: q.URI, ReqType: q.ReqType, Size: q.Size, DataTypes: q.DataTypes}, Payload: d.Payload, Findings: d.Findings}
	if r, err := s.st.Run(ctx, run); err == nil {
		out.Permissions = r.Permissions
	}
	db := s.st.DB()
	var prev, next int
	if db.QueryRowContext(ctx, `SELECT id FROM requests WHERE run = ? AND seq < ? ORDER BY seq DESC LIMIT 1`, run, q.Seq).Scan(&prev) == nil {
		out.Prev = reqID(run, prev)
	}
	if db.QueryRowContext(ctx, `SELECT id FROM requests WHERE run = ? AND seq > ? ORDER BY seq LIMIT 1`, run, q.Seq).Scan(&next) == nil {
		out.Next = reqID(run, next)
	}
	return out, nil
}

// FindingRequest implements Source.
// Without a run, the finding is looked up in every run (the first run by
// label wins when two runs hold the same ID), so the same finding URL works
// on a report folder and on a corpus.
func (s *StoreSource) FindingRequest(ctx context.Context, run, fid string) (string, error) {
	var n int
	err := s.st.DB().QueryRowContext(ctx, `SELECT run, request FROM findings WHERE (? = '' OR run = ?) AND id = ? ORDER BY run LIMIT 1`,
		run, run, fid).Scan(&run, &n)
	if err != nil {
		return "", ErrNotFound
	}
	return reqID(run, n), nil
}

// Gaps implements Source.
func (s *StoreSource) Gaps(ctx context.Context) ([]report.Gap, error) {
	var out []report.Gap
	for off := 0; ; {
		gs, total, err := s.st.Gaps(ctx, store.GapFilter{Page: store.Page{Offset: off, Limit: store.MaxLimit}})
		if err != nil {
			return nil, err
		}
		out = append(out, gs...)
		off += len(gs)
		if len(gs) == 0 || off >= total {
			return out, nil
		}
	}
}

// located reads the findings the Mini Program and location views need
// (those naming an appid or holding coordinates) into a report with the
// corpus's runs, so report.Summarize builds the views.
func (s *StoreSource) located(ctx context.Context) (*report.Report, error) {
	runs, err := s.st.Runs(ctx)
	if err != nil {
		return nil, err
	}
	r := &report.Report{}
	for _, run := range runs {
		r.Runs = append(r.Runs, report.Run{Label: run.Run, Permissions: run.Permissions, Requests: run.Requests})
	}
	rows, err := s.st.DB().QueryContext(ctx, `SELECT run, id, request, data_type, feature, recipient, uri, req_type,
		permissions, time, appid, field_path, value, lat, lon, precision_m, coord_encoding
		FROM findings WHERE appid <> '' OR lat IS NOT NULL ORDER BY run, request, id`)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f report.Finding
		var lat, lon, prec *float64
		var enc string
		if err := rows.Scan(&f.Run, &f.ID, &f.Request, &f.DataType, &f.Feature, &f.Recipient, &f.URI, &f.ReqType,
			&f.Permissions, &f.Time, &f.AppID, &f.Evidence.FieldPath, &f.Evidence.Value, &lat, &lon, &prec, &enc); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		if lat != nil && lon != nil {
			f.Coord = &classify.Coord{Lat: *lat, Lon: *lon, Encoding: enc}
			if prec != nil {
				f.Coord.PrecisionM = *prec
			}
		}
		r.Findings = append(r.Findings, f)
	}
	return r, rows.Err()
}

// MiniPrograms implements Source.
func (s *StoreSource) MiniPrograms(ctx context.Context) ([]report.MiniProgram, error) {
	r, err := s.located(ctx)
	if err != nil {
		return nil, err
	}
	return r.Summarize().MiniPrograms, nil
}

// Locations implements Source.
func (s *StoreSource) Locations(ctx context.Context) ([]report.Location, error) {
	r, err := s.located(ctx)
	if err != nil {
		return nil, err
	}
	return r.Summarize().Locations, nil
}

// Search implements Source, through the store's trigram index.
func (s *StoreSource) Search(ctx context.Context, q string, limit int) (*SearchResult, error) {
	res := &SearchResult{Query: q, Hits: []Hit{}}
	q = strings.TrimSpace(q)
	if q == "" {
		return res, nil
	}
	limit = clampLimit(limit)
	hits, err := s.st.Search(ctx, q, store.SearchFilter{Page: store.Page{Limit: limit + 1}})
	if err != nil {
		return nil, err
	}
	if len(hits) > limit {
		hits, res.More = hits[:limit], true
	}
	for _, h := range hits {
		res.Hits = append(res.Hits, Hit{Request: reqID(h.Run, h.Request), Run: h.Run, URI: h.URI, Path: h.FieldPath,
			Text: h.Value, Where: "value"})
	}
	return s.moreHits(ctx, res, q, limit)
}

// runReport reads one run's findings and requests for a diff.
func (s *StoreSource) runReport(ctx context.Context, run string) (*report.Report, error) {
	if _, err := s.st.Run(ctx, run); err != nil {
		return nil, ErrNotFound
	}
	r := &report.Report{}
	for off := 0; ; {
		fs, total, err := s.st.Findings(ctx, store.FindingFilter{Run: run, Page: store.Page{Offset: off, Limit: store.MaxLimit}})
		if err != nil {
			return nil, err
		}
		r.Findings = append(r.Findings, fs...)
		if off += len(fs); len(fs) == 0 || off >= total {
			break
		}
	}
	for off := 0; ; {
		qs, total, err := s.st.Requests(ctx, store.RequestFilter{Run: run, Page: store.Page{Offset: off, Limit: store.MaxLimit}})
		if err != nil {
			return nil, err
		}
		r.Requests = append(r.Requests, qs...)
		if off += len(qs); len(qs) == 0 || off >= total {
			break
		}
	}
	return r, nil
}

// Diff implements Source.
func (s *StoreSource) Diff(ctx context.Context, a, b string) (*report.DiffResult, error) {
	ra, err := s.runReport(ctx, a)
	if err != nil {
		return nil, err
	}
	rb, err := s.runReport(ctx, b)
	if err != nil {
		return nil, err
	}
	d := report.Diff(ra, rb, a, b)
	return &d, nil
}

// redactionKey is the key of the corpus's pseudonyms (nil for a store
// written before corpus kept one).
func (s *StoreSource) redactionKey(ctx context.Context) ([]byte, error) {
	return s.st.StoredRedactionKey(ctx)
}

// Identifying implements Source: every distinct (data type, value, rule)
// of the corpus's findings, with coordinates.
func (s *StoreSource) Identifying(ctx context.Context) (*report.Report, error) {
	rows, err := s.st.DB().QueryContext(ctx, `SELECT DISTINCT data_type, value, rule, lat, lon FROM findings`)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	defer rows.Close()
	r := &report.Report{}
	for rows.Next() {
		var f report.Finding
		var lat, lon *float64
		if err := rows.Scan(&f.DataType, &f.Evidence.Value, &f.Evidence.Rule, &lat, &lon); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		if lat != nil && lon != nil {
			f.Coord = &classify.Coord{Lat: *lat, Lon: *lon}
		}
		r.Findings = append(r.Findings, f)
	}
	return r, rows.Err()
}

// Close closes the store.
func (s *StoreSource) Close() error { return s.st.Close() }

// sqlWhere translates a filter expression into a WHERE clause over the
// requests table, with its arguments. Every term becomes one condition;
// values are bound, never spliced.
func sqlWhere(e *filter.Expr) (string, []any) {
	if e == nil || len(e.Terms) == 0 {
		return "1", nil
	}
	var conds []string
	var args []any
	for _, t := range e.Terms {
		c, a := sqlTerm(t)
		if t.Not {
			c = "NOT (" + c + ")"
		}
		conds = append(conds, "("+c+")")
		args = append(args, a...)
	}
	return strings.Join(conds, " AND "), args
}

func sqlTerm(t filter.Term) (string, []any) {
	var args []any
	// one builds "col op ?" for one value.
	one := func(col string, v string) string {
		switch t.Op {
		case filter.OpContains:
			args = append(args, strings.ToLower(v))
			return "instr(lower(" + col + "), ?) > 0"
		default:
			args = append(args, strings.ToLower(v))
			return "lower(" + col + ") = ?"
		}
	}
	anyOf := func(col string) string {
		var ors []string
		for _, v := range t.Values {
			ors = append(ors, one(col, v))
		}
		return strings.Join(ors, " OR ")
	}
	// Set-valued fields: != means none of the values is present.
	set := func(from string) string {
		if t.Op == filter.OpNe {
			save := t.Op
			t.Op = filter.OpEq
			c := "NOT EXISTS (" + from + " AND (" + anyOf("value") + "))"
			t.Op = save
			return c
		}
		return "EXISTS (" + from + " AND (" + anyOf("value") + "))"
	}
	neg := func(c string) string {
		if t.Op == filter.OpNe {
			return "NOT (" + c + ")"
		}
		return c
	}
	switch t.Key {
	case filter.KeyRun:
		return neg(anyOf("run")), args
	case filter.KeyFeature:
		return neg(anyOf("feature")), args
	case filter.KeyRecipient:
		return neg(anyOf("recipient")), args
	case filter.KeyEndpoint:
		return neg(anyOf("CASE WHEN uri <> '' THEN uri ELSE 'req ' || req_type END")), args
	case filter.KeyPermissions:
		return neg(anyOf("coalesce((SELECT permissions FROM runs WHERE runs.run = requests.run), '')")), args
	case filter.KeyDataType:
		return set("SELECT 1 FROM json_each(requests.data_types) WHERE 1"), args
	case filter.KeyAppID:
		return set("SELECT 1 FROM (SELECT appid AS value FROM findings f WHERE f.run = requests.run AND f.request = requests.id) WHERE 1"), args
	case filter.KeyReqType:
		if t.Op == filter.OpContains {
			return anyOf("CAST(req_type AS TEXT)"), args
		}
		var ors []string
		for _, v := range t.Values {
			n, _ := strconv.ParseInt(v, 10, 64)
			args = append(args, n)
			op := string(t.Op)
			if t.Op == filter.OpNe {
				op = "="
			}
			ors = append(ors, "req_type "+op+" ?")
		}
		return neg(strings.Join(ors, " OR ")), args
	case filter.KeyTime:
		var ors []string
		for _, v := range t.Values {
			tm, _ := filter.ParseTime(v)
			args = append(args, tm.UTC().Format("2006-01-02 15:04:05.000"))
			ors = append(ors, "(time <> '' AND julianday(time) "+string(t.Op)+" julianday(?))")
		}
		return strings.Join(ors, " OR "), args
	}
	return "0", nil
}

func jsonList(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" || s == "[]" || s == "null" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(strings.Trim(s, "[]"), ",") {
		if v, err := strconv.Unquote(strings.TrimSpace(p)); err == nil {
			out = append(out, v)
		}
	}
	return out
}
