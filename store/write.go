package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wxaudit/wxaudit/report"
)

var errReadOnly = errors.New("store: opened read-only")

// PutRun replaces everything stored for run.Run with run, the requests,
// findings and policy gaps of rep that belong to it, and the payloads
// that payloads yields (it may be nil). It is one transaction: on any
// error, or if ctx is cancelled, the previous state of the run stays.
// payloads is called once, inside the transaction, and should stream.
func (s *Store) PutRun(ctx context.Context, run Run, rep *report.Report, payloads func(yield func(Payload) error) error) error {
	if s.readOnly {
		return errReadOnly
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	if err := deleteRun(ctx, tx, run.Run); err != nil {
		return err
	}
	if err := insertRun(ctx, tx, run); err != nil {
		return fmt.Errorf("store: run %s: %w", run.Run, err)
	}
	runid, err := runID(ctx, tx, run.Run)
	if err != nil {
		return fmt.Errorf("store: run %s: %w", run.Run, err)
	}
	if rep != nil {
		if err := insertReport(ctx, tx, run.Run, runid, rep); err != nil {
			return fmt.Errorf("store: run %s: %w", run.Run, err)
		}
	}
	if payloads != nil {
		if err := insertPayloads(ctx, tx, run.Run, runid, payloads); err != nil {
			return fmt.Errorf("store: run %s: %w", run.Run, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: run %s: %w", run.Run, err)
	}
	return nil
}

// DeleteRun removes a run and all its rows.
func (s *Store) DeleteRun(ctx context.Context, label string) error {
	if s.readOnly {
		return errReadOnly
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	if err := deleteRun(ctx, tx, label); err != nil {
		return err
	}
	return tx.Commit()
}

func deleteRun(ctx context.Context, tx *sql.Tx, label string) error {
	if err := deleteGrams(ctx, tx, label); err != nil {
		return err
	}
	for _, t := range []string{"strings", "gaps", "findings", "requests", "runs"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE run = ?`, label); err != nil {
			return fmt.Errorf("store: delete run %s from %s: %w", label, t, err)
		}
	}
	return nil
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("store: internal error: " + err.Error())
	}
	return string(b)
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func insertRun(ctx context.Context, tx *sql.Tx, r Run) error {
	perms := r.PermissionStates
	if perms == nil {
		perms = map[string]string{}
	}
	dts, steps, nd := r.DataTypes, r.Steps, r.NotDecrypted
	if dts == nil {
		dts = []string{}
	}
	if nd == nil {
		nd = []string{}
	}
	stepsJSON := "[]"
	if len(steps) > 0 {
		type step struct {
			Name string `json:"name"`
			Time string `json:"time"`
		}
		out := make([]step, len(steps))
		for i, s := range steps {
			out[i] = step{s.Name, timeText(s.Time)}
		}
		stepsJSON = jsonText(out)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO runs (run, source, kind, status, error, fingerprint, analysed_at,
		permissions, permission_states, category, device_model, android, abi, app_package, app_version, started, steps,
		requests, findings, data_types, decrypted_payloads, miniprogram_browsing,
		records_encrypted, records_decrypted, payloads_not_decrypted, coverage, not_decrypted, analysis_errors,
		extends, skip_lines, lines)
		VALUES (?,?,?,?,?,?,?, ?,?,?,?,?,?,?,?,?,?, ?,?,?,?,?, ?,?,?,?,?,?, ?,?,?)`,
		r.Run, r.Source, r.Kind, r.Status, r.Error, r.Fingerprint, timeText(r.AnalysedAt),
		orUnknown(r.Permissions), jsonText(perms), r.Category, r.Device.Model, r.Device.Android, r.Device.ABI, r.App.Package, r.App.Version,
		timeText(r.Started), stepsJSON,
		r.Requests, r.Findings, jsonText(dts), r.DecryptedPayloads, r.MiniProgramBrowsing,
		r.RecordsEncrypted, r.RecordsDecrypted, r.PayloadsNotDecrypted, r.Coverage, jsonText(nd), r.AnalysisErrors,
		r.Extends, r.SkipLines, r.Lines)
	return err
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func insertReport(ctx context.Context, tx *sql.Tx, label string, runid int64, rep *report.Report) error {
	reqStmt, err := tx.PrepareContext(ctx, `INSERT INTO requests (run, id, seq, time, feature, feature_reason, recipient,
		uri, req_type, size, source, data_types) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer reqStmt.Close()
	uriStmt, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO uris (uri) VALUES (?)`)
	if err != nil {
		return err
	}
	defer uriStmt.Close()
	uris := map[string]bool{}
	for _, q := range rep.Requests {
		if q.Run != label {
			continue
		}
		dts := q.DataTypes
		if dts == nil {
			dts = []string{}
		}
		if _, err := reqStmt.ExecContext(ctx, label, q.ID, q.Seq, q.Time, q.Feature, q.FeatureReason, q.Recipient,
			q.URI, q.ReqType, q.Size, q.Source, jsonText(dts)); err != nil {
			return fmt.Errorf("request %d: %w", q.ID, err)
		}
		if q.URI != "" && !uris[q.URI] {
			uris[q.URI] = true
			if _, err := uriStmt.ExecContext(ctx, q.URI); err != nil {
				return fmt.Errorf("request %d: %w", q.ID, err)
			}
		}
	}
	gw, err := newGramWriter(ctx, tx, runid, "findings_grams", []string{"vid"}, textChars)
	if err != nil {
		return err
	}
	defer gw.Close()
	vids := newVids()
	fStmt, err := tx.PrepareContext(ctx, `INSERT INTO findings (run, id, request, data_type, confidence, feature, recipient,
		uri, req_type, permissions, time, appid, field_path, value, rule, reason, source_file, source_line, frames,
		lat, lon, precision_m, coord_encoding, entry, mp_session, mp_page, also_rules, vid)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer fStmt.Close()
	for _, f := range rep.Findings {
		if f.Run != label {
			continue
		}
		frames := f.Source.Frames
		if frames == nil {
			frames = []int64{}
		}
		var lat, lon, prec any
		enc := ""
		if c := f.Coord; c != nil {
			lat, lon, prec, enc = c.Lat, c.Lon, c.PrecisionM, c.Encoding
		}
		vid, err := vids.of(ctx, gw, f.Evidence.Value)
		if err != nil {
			return fmt.Errorf("finding %s: %w", f.ID, err)
		}
		if _, err := fStmt.ExecContext(ctx, label, f.ID, f.Request, f.DataType, f.Confidence, f.Feature, f.Recipient,
			f.URI, f.ReqType, f.Permissions, f.Time, f.AppID, f.Evidence.FieldPath, f.Evidence.Value, f.Evidence.Rule,
			f.Evidence.Reason, f.Source.File, f.Source.Line, jsonText(frames), lat, lon, prec, enc,
			f.Entry, f.MPSession, f.MPPage, jsonText(nonNilStrings(f.Evidence.AlsoRules)), vid); err != nil {
			return fmt.Errorf("finding %s: %w", f.ID, err)
		}

	}
	if err := gw.finish(ctx, tx); err != nil {
		return err
	}
	if rep.Policy == nil {
		return nil
	}
	gStmt, err := tx.PrepareContext(ctx, `INSERT INTO gaps (run, id, kind, data_type, feature, recipient, clause,
		statement, findings) VALUES (?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer gStmt.Close()
	n := 0
	for _, g := range rep.Policy.Gaps {
		if g.Run != label {
			continue
		}
		ev := g.Findings
		if ev == nil {
			ev = []string{}
		}
		if _, err := gStmt.ExecContext(ctx, label, n, g.Kind, g.DataType, g.Feature, g.Recipient, g.Clause, g.Statement, jsonText(ev)); err != nil {
			return fmt.Errorf("gap %d: %w", n, err)
		}
		n++
	}
	return nil
}

func insertPayloads(ctx context.Context, tx *sql.Tx, label string, runid int64, payloads func(func(Payload) error) error) error {
	pStmt, err := tx.PrepareContext(ctx, `UPDATE requests SET payload = ? WHERE run = ? AND id = ?`)
	if err != nil {
		return err
	}
	defer pStmt.Close()
	sStmt, err := tx.PrepareContext(ctx, `INSERT INTO strings (run, request, field_path, value) VALUES (?,?,?,?)`)
	if err != nil {
		return err
	}
	defer sStmt.Close()
	gw, err := newGramWriter(ctx, tx, runid, "strings_grams", []string{"request", "id"}, chars)
	if err != nil {
		return err
	}
	defer gw.Close()
	err = payloads(func(p Payload) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if p.Bytes != nil {
			if _, err := pStmt.ExecContext(ctx, p.Bytes, label, p.Request); err != nil {
				return fmt.Errorf("payload of request %d: %w", p.Request, err)
			}
		}
		for _, s := range p.Strings {
			res, err := sStmt.ExecContext(ctx, label, p.Request, s.FieldPath, s.Value)
			if err == nil {
				var id int64
				if id, err = res.LastInsertId(); err == nil {
					err = gw.add(ctx, s.Value, p.Request, id)
				}
			}
			if err != nil {
				return fmt.Errorf("strings of request %d: %w", p.Request, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return gw.finish(ctx, tx)
}

func nonNilStrings(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
