package parquet

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	pq "github.com/parquet-go/parquet-go"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/store"
)

// Tables are the tables written, in order.
var Tables = []string{"runs", "requests", "findings", "gaps"}

// Dir is the folder under a corpus folder holding the shareable tables:
// the report's pseudonyms and coarsening, no payloads (doc/privacy.md).
const Dir = "parquet"

// RawDir holds the raw tables (corpus --reveal): every value in clear and
// the payloads; secret, like the store. Its name says so.
const RawDir = "parquet-raw"

// partFile is the one file of a run's partition.
const partFile = "part-0.parquet"

// rowGroup bounds the rows buffered before a row group is flushed, so a
// large run streams.
const rowGroup = 4096

// PartitionDir returns the folder of one run's partition of table, under
// the corpus folder out. The label is escaped as Hive escapes partition
// values; corpus labels contain nothing that needs it.
func PartitionDir(out, table, label string) string {
	return partitionDir(out, Dir, table, label)
}

// RawPartitionDir is PartitionDir for the raw tables.
func RawPartitionDir(out, table, label string) string {
	return partitionDir(out, RawDir, table, label)
}

func partitionDir(out, root, table, label string) string {
	return filepath.Join(out, root, table, "run="+url.PathEscape(label))
}

// Staged is one run's tables written to a staging folder; Commit moves
// them into place, Discard removes them.
type Staged struct {
	out, root, label, dir string
}

// Stage writes the run's tables into staging (a folder on the same file
// system as out, created if needed), for the folder root under out (Dir or
// RawDir). payloads yields the plaintexts in request order (it may be
// nil). Nothing under out/root changes until Commit. The tables are
// written as given: the caller redacts what goes to Dir.
func Stage(out, root, staging string, run store.Run, rep *report.Report, payloads func(func(store.Payload) error) error) (*Staged, error) {
	dir, err := os.MkdirTemp(staging, "run-")
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	st := &Staged{out: out, root: root, label: run.Run, dir: dir}
	err = errors.Join(
		writeFile(filepath.Join(dir, "runs"), []RunRow{runRow(run)}),
		writeRequests(filepath.Join(dir, "requests"), run.Run, rep, payloads),
		writeFile(filepath.Join(dir, "findings"), findingRows(run.Run, rep)),
		writeFile(filepath.Join(dir, "gaps"), gapRows(run.Run, rep)),
	)
	if err != nil {
		st.Discard()
		return nil, fmt.Errorf("parquet: run %s: %w", run.Run, err)
	}
	return st, nil
}

// Commit renames the staged files into their partitions, replacing the
// run's previous files; each rename is atomic, so a reader sees a whole
// file or the previous one.
func (st *Staged) Commit() error {
	for _, t := range Tables {
		dst := partitionDir(st.out, st.root, t, st.label)
		// Owner-only like the corpus folder: the raw tables are secret, and
		// a shareable file is shared by copying it, not by its mode.
		if err := os.MkdirAll(dst, 0o700); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
		if err := os.Rename(filepath.Join(st.dir, t), filepath.Join(dst, partFile)); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
	}
	return os.RemoveAll(st.dir)
}

// Discard removes the staged files.
func (st *Staged) Discard() { os.RemoveAll(st.dir) }

// Remove deletes a run's partitions (for a run no longer in the corpus).
func Remove(out, label string) error {
	var errs []error
	for _, t := range Tables {
		errs = append(errs, os.RemoveAll(PartitionDir(out, t, label)), os.RemoveAll(RawPartitionDir(out, t, label)))
	}
	return errors.Join(errs...)
}

func writeFile[T any](path string, rows []T) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	w := pq.NewGenericWriter[T](f, pq.Compression(&pq.Snappy))
	for len(rows) > 0 {
		n := min(len(rows), rowGroup)
		if _, err := w.Write(rows[:n]); err != nil {
			f.Close()
			return err
		}
		rows = rows[n:]
	}
	if err := w.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func i64p(p *int) *int64 {
	if p == nil {
		return nil
	}
	v := int64(*p)
	return &v
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func runRow(r store.Run) RunRow {
	row := RunRow{Source: r.Source, Kind: r.Kind, Status: r.Status, Error: r.Error, Fingerprint: r.Fingerprint,
		Permissions: r.Permissions, PermissionStates: r.PermissionStates, Category: r.Category,
		DeviceModel: r.Device.Model, Android: r.Device.Android, ABI: r.Device.ABI, AppPackage: r.App.Package, AppVersion: r.App.Version,
		Requests: int64(r.Requests), Findings: int64(r.Findings), DataTypes: nonNil(r.DataTypes), DecryptedPayloads: int64(r.DecryptedPayloads),
		MiniProgramBrowsing: r.MiniProgramBrowsing, RecordsEncrypted: i64p(r.RecordsEncrypted), RecordsDecrypted: i64p(r.RecordsDecrypted),
		PayloadsNotDecrypted: i64p(r.PayloadsNotDecrypted), Coverage: r.Coverage, NotDecrypted: nonNil(r.NotDecrypted), AnalysisErrors: int64(r.AnalysisErrors)}
	if !r.AnalysedAt.IsZero() {
		row.AnalysedAt = r.AnalysedAt.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	if !r.Started.IsZero() {
		row.Started = r.Started.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	if row.PermissionStates == nil {
		row.PermissionStates = map[string]string{}
	}
	return row
}

// writeRequests streams the requests with their payloads, one row group
// at a time.
func writeRequests(path, label string, rep *report.Report, payloads func(func(store.Payload) error) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	w := pq.NewGenericWriter[RequestRow](f, pq.Compression(&pq.Snappy))
	var reqs []report.Request
	if rep != nil {
		for _, q := range rep.Requests {
			if q.Run == label {
				reqs = append(reqs, q)
			}
		}
	}
	buf := make([]RequestRow, 0, 256)
	flush := func() error {
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	next := 0 // index in reqs of the next row to write
	emit := func(upTo int, payload []byte) error {
		for ; next < len(reqs) && reqs[next].ID <= upTo; next++ {
			q := reqs[next]
			row := RequestRow{ID: int64(q.ID), Seq: int64(q.Seq), Time: q.Time, Feature: q.Feature, FeatureReason: q.FeatureReason,
				Recipient: q.Recipient, URI: q.URI, ReqType: int64(q.ReqType), Size: int64(q.Size), Source: q.Source, DataTypes: nonNil(q.DataTypes)}
			if q.ID == upTo && payload != nil {
				row.Payload = append([]byte(nil), payload...)
			}
			buf = append(buf, row)
			if len(buf) == cap(buf) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if payloads != nil {
		if err := payloads(func(p store.Payload) error { return emit(p.Request, p.Bytes) }); err != nil {
			return err
		}
	}
	if err := emit(int(^uint(0)>>1), nil); err != nil {
		return err
	}
	if len(buf) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return f.Close()
}

func findingRows(label string, rep *report.Report) []FindingRow {
	var out []FindingRow
	if rep == nil {
		return out
	}
	for _, f := range rep.Findings {
		if f.Run != label {
			continue
		}
		row := FindingRow{ID: f.ID, Request: int64(f.Request), DataType: f.DataType, Confidence: f.Confidence, Feature: f.Feature,
			Recipient: f.Recipient, URI: f.URI, ReqType: int64(f.ReqType), Permissions: f.Permissions, Time: f.Time, AppID: f.AppID,
			FieldPath: f.Evidence.FieldPath, Value: f.Evidence.Value, Rule: f.Evidence.Rule, Reason: f.Evidence.Reason,
			SourceFile: f.Source.File, SourceLine: int64(f.Source.Line), Frames: f.Source.Frames}
		if row.Frames == nil {
			row.Frames = []int64{}
		}
		if c := f.Coord; c != nil {
			lat, lon, p := c.Lat, c.Lon, c.PrecisionM
			row.Lat, row.Lon, row.PrecisionM, row.CoordEncoding = &lat, &lon, &p, c.Encoding
		}
		out = append(out, row)
	}
	return out
}

func gapRows(label string, rep *report.Report) []GapRow {
	var out []GapRow
	if rep == nil || rep.Policy == nil {
		return out
	}
	for _, g := range rep.Policy.Gaps {
		if g.Run != label {
			continue
		}
		out = append(out, GapRow{ID: int64(len(out)), Kind: g.Kind, DataType: g.DataType, Feature: g.Feature, Recipient: g.Recipient,
			Clause: g.Clause, Statement: g.Statement, Findings: nonNil(g.Findings)})
	}
	return out
}
