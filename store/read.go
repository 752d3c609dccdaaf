package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/runfolder"
)

const runColumns = `run, source, kind, status, error, fingerprint, analysed_at, permissions, permission_states,
	category, device_model, android, abi, app_package, app_version, started, steps, requests, findings, data_types,
	decrypted_payloads, miniprogram_browsing, records_encrypted, records_decrypted, payloads_not_decrypted, coverage,
	not_decrypted, analysis_errors, extends, skip_lines, lines`

type scanner interface{ Scan(...any) error }

func scanRun(sc scanner) (Run, error) {
	var r Run
	var analysed, perms, started, steps, dts, nd string
	var re, rd, pnd sql.NullInt64
	var cov sql.NullFloat64
	err := sc.Scan(&r.Run, &r.Source, &r.Kind, &r.Status, &r.Error, &r.Fingerprint, &analysed, &r.Permissions, &perms,
		&r.Category, &r.Device.Model, &r.Device.Android, &r.Device.ABI, &r.App.Package, &r.App.Version, &started, &steps,
		&r.Requests, &r.Findings, &dts, &r.DecryptedPayloads, &r.MiniProgramBrowsing, &re, &rd, &pnd, &cov, &nd, &r.AnalysisErrors,
		&r.Extends, &r.SkipLines, &r.Lines)
	if err != nil {
		return r, err
	}
	r.AnalysedAt, _ = time.Parse(time.RFC3339Nano, analysed)
	r.Started, _ = time.Parse(time.RFC3339Nano, started)
	if err := json.Unmarshal([]byte(perms), &r.PermissionStates); err != nil {
		return r, err
	}
	if len(r.PermissionStates) == 0 {
		r.PermissionStates = nil
	}
	var st []struct{ Name, Time string }
	if err := json.Unmarshal([]byte(steps), &st); err != nil {
		return r, err
	}
	for _, s := range st {
		t, _ := time.Parse(time.RFC3339Nano, s.Time)
		r.Steps = append(r.Steps, runfolder.Step{Name: s.Name, Time: t})
	}
	if err := json.Unmarshal([]byte(dts), &r.DataTypes); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(nd), &r.NotDecrypted); err != nil {
		return r, err
	}
	if len(r.NotDecrypted) == 0 {
		r.NotDecrypted = nil
	}
	if re.Valid {
		a, b, c := int(re.Int64), int(rd.Int64), int(pnd.Int64)
		r.RecordsEncrypted, r.RecordsDecrypted, r.PayloadsNotDecrypted = &a, &b, &c
	}
	if cov.Valid {
		r.Coverage = &cov.Float64
	}
	return r, nil
}

// Runs returns every run, ordered by label.
func (s *Store) Runs(ctx context.Context) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM runs ORDER BY run`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("store: runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Run returns one run, or ErrNotFound.
func (s *Store) Run(ctx context.Context, label string) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE run = ?`, label))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: run %s: %w", label, err)
	}
	return r, nil
}

// where builds a WHERE clause from column = value pairs, skipping empty
// values.
type where struct {
	conds []string
	args  []any
}

func (w *where) eq(col, v string) {
	if v != "" {
		w.conds = append(w.conds, col+" = ?")
		w.args = append(w.args, v)
	}
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func (s *Store) count(ctx context.Context, from string, w *where) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+from+w.String(), w.args...).Scan(&n)
	return n, err
}

const requestColumns = `r.id, r.run, r.seq, r.time, r.feature, r.feature_reason, r.recipient, r.uri, r.req_type, r.size, r.source, r.data_types`

func scanRequest(sc scanner) (report.Request, error) {
	var q report.Request
	var dts string
	if err := sc.Scan(&q.ID, &q.Run, &q.Seq, &q.Time, &q.Feature, &q.FeatureReason, &q.Recipient, &q.URI, &q.ReqType, &q.Size, &q.Source, &dts); err != nil {
		return q, err
	}
	if err := json.Unmarshal([]byte(dts), &q.DataTypes); err != nil {
		return q, err
	}
	if len(q.DataTypes) == 0 {
		q.DataTypes = nil
	}
	return q, nil
}

// Requests returns the requests matching f in run and sequence order, and
// how many match in all.
func (s *Store) Requests(ctx context.Context, f RequestFilter) ([]report.Request, int, error) {
	w := &where{}
	w.eq("r.run", f.Run)
	w.eq("r.feature", f.Feature)
	w.eq("r.recipient", f.Recipient)
	w.eq("r.uri", f.URI)
	if f.DataType != "" {
		w.conds = append(w.conds, "EXISTS (SELECT 1 FROM findings x WHERE x.run = r.run AND x.request = r.id AND x.data_type = ?)")
		w.args = append(w.args, f.DataType)
	}
	total, err := s.count(ctx, "requests r", w)
	if err != nil {
		return nil, 0, fmt.Errorf("store: requests: %w", err)
	}
	limit, offset := f.bounds()
	rows, err := s.db.QueryContext(ctx, `SELECT `+requestColumns+` FROM requests r`+w.String()+
		` ORDER BY r.run, r.seq LIMIT ? OFFSET ?`, append(w.args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: requests: %w", err)
	}
	defer rows.Close()
	var out []report.Request
	for rows.Next() {
		q, err := scanRequest(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: requests: %w", err)
		}
		out = append(out, q)
	}
	return out, total, rows.Err()
}

// Request returns one request with its payload, decoded strings and
// findings, or ErrNotFound.
func (s *Store) Request(ctx context.Context, run string, id int) (*RequestDetail, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+requestColumns+`, r.payload FROM requests r WHERE r.run = ? AND r.id = ?`, run, id)
	var d RequestDetail
	var dts string
	err := row.Scan(&d.ID, &d.Run, &d.Seq, &d.Time, &d.Feature, &d.FeatureReason, &d.Recipient, &d.URI, &d.ReqType, &d.Size, &d.Source, &dts, &d.Payload)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: request %s/%d: %w", run, id, err)
	}
	if err := json.Unmarshal([]byte(dts), &d.DataTypes); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT field_path, value FROM strings WHERE run = ? AND request = ? ORDER BY id`, run, id)
	if err != nil {
		return nil, fmt.Errorf("store: request %s/%d: %w", run, id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var st String
		if err := rows.Scan(&st.FieldPath, &st.Value); err != nil {
			return nil, err
		}
		d.Strings = append(d.Strings, st)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	d.Findings, err = s.findings(ctx, ` WHERE run = ? AND request = ?`, []any{run, id}, MaxLimit*10, 0)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

const findingColumns = `run, id, request, data_type, confidence, feature, recipient, uri, req_type, permissions, time,
	appid, field_path, value, rule, reason, source_file, source_line, frames, lat, lon, precision_m, coord_encoding,
	entry, mp_session, mp_page, also_rules`

func (s *Store) findings(ctx context.Context, whereSQL string, args []any, limit, offset int) ([]report.Finding, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+findingColumns+` FROM findings`+whereSQL+
		` ORDER BY run, request, CAST(substr(id, 2) AS INTEGER) LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("store: findings: %w", err)
	}
	defer rows.Close()
	var out []report.Finding
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Findings returns the findings matching f, by run, request and id, and
// how many match in all.
func (s *Store) Findings(ctx context.Context, f FindingFilter) ([]report.Finding, int, error) {
	w := &where{}
	w.eq("run", f.Run)
	w.eq("data_type", f.DataType)
	w.eq("feature", f.Feature)
	w.eq("recipient", f.Recipient)
	w.eq("confidence", f.Confidence)
	total, err := s.count(ctx, "findings", w)
	if err != nil {
		return nil, 0, fmt.Errorf("store: findings: %w", err)
	}
	limit, offset := f.bounds()
	out, err := s.findings(ctx, w.String(), w.args, limit, offset)
	return out, total, err
}

// Gaps returns the policy gaps matching f, by run and id, and how many
// match in all.
func (s *Store) Gaps(ctx context.Context, f GapFilter) ([]report.Gap, int, error) {
	w := &where{}
	w.eq("run", f.Run)
	w.eq("kind", f.Kind)
	w.eq("data_type", f.DataType)
	total, err := s.count(ctx, "gaps", w)
	if err != nil {
		return nil, 0, fmt.Errorf("store: gaps: %w", err)
	}
	limit, offset := f.bounds()
	rows, err := s.db.QueryContext(ctx, `SELECT run, kind, data_type, feature, recipient, clause, statement, findings FROM gaps`+
		w.String()+` ORDER BY run, id LIMIT ? OFFSET ?`, append(w.args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: gaps: %w", err)
	}
	defer rows.Close()
	var out []report.Gap
	for rows.Next() {
		var g report.Gap
		var ev string
		if err := rows.Scan(&g.Run, &g.Kind, &g.DataType, &g.Feature, &g.Recipient, &g.Clause, &g.Statement, &ev); err != nil {
			return nil, 0, fmt.Errorf("store: gaps: %w", err)
		}
		if err := json.Unmarshal([]byte(ev), &g.Findings); err != nil {
			return nil, 0, err
		}
		if len(g.Findings) == 0 {
			g.Findings = nil
		}
		out = append(out, g)
	}
	return out, total, rows.Err()
}

// Matrix returns the runs × data types table: for each run and data type
// found in it, the findings and the distinct requests carrying it.
func (s *Store) Matrix(ctx context.Context) ([]Cell, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT run, data_type, count(*), count(DISTINCT request) FROM findings GROUP BY run, data_type ORDER BY run, data_type`)
	if err != nil {
		return nil, fmt.Errorf("store: matrix: %w", err)
	}
	defer rows.Close()
	var out []Cell
	for rows.Next() {
		var c Cell
		if err := rows.Scan(&c.Run, &c.DataType, &c.Findings, &c.Requests); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// scanFinding reads one row of findingColumns.
func scanFinding(sc scanner) (report.Finding, error) {
	var f report.Finding
	var frames, enc, also string
	var lat, lon, prec sql.NullFloat64
	if err := sc.Scan(&f.Run, &f.ID, &f.Request, &f.DataType, &f.Confidence, &f.Feature, &f.Recipient, &f.URI,
		&f.ReqType, &f.Permissions, &f.Time, &f.AppID, &f.Evidence.FieldPath, &f.Evidence.Value, &f.Evidence.Rule,
		&f.Evidence.Reason, &f.Source.File, &f.Source.Line, &frames, &lat, &lon, &prec, &enc,
		&f.Entry, &f.MPSession, &f.MPPage, &also); err != nil {
		return f, fmt.Errorf("store: findings: %w", err)
	}
	if err := json.Unmarshal([]byte(also), &f.Evidence.AlsoRules); err != nil {
		return f, err
	}
	if len(f.Evidence.AlsoRules) == 0 {
		f.Evidence.AlsoRules = nil
	}
	if err := json.Unmarshal([]byte(frames), &f.Source.Frames); err != nil {
		return f, err
	}
	if len(f.Source.Frames) == 0 {
		f.Source.Frames = nil
	}
	if lat.Valid {
		f.Coord = &classify.Coord{Lat: lat.Float64, Lon: lon.Float64, PrecisionM: prec.Float64, Encoding: enc}
	}
	return f, nil
}
