package parquet

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	pq "github.com/parquet-go/parquet-go"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/store"
)

// Tables are the tables written, in order.
var Tables = []string{"runs", "requests", "findings", "gaps", "strings"}

// Dir is the folder under a corpus folder holding the shareable tables:
// the report's pseudonyms and coarsening, no payloads (doc/privacy.md).
const Dir = "parquet"

// RawDir holds the raw tables (corpus --reveal): every value in clear and
// the payloads; secret, like the store. Its name says so.
const RawDir = "parquet-raw"

// partFile is the one file of a run's partition.
const partFile = "part-0.parquet"

// rowBuffer bounds the rows buffered before they go to the writer, so a
// large run streams.
const rowBuffer = 256

// PartitionKey names the partition folders, part=run-<label>. The files
// hold the label itself, in their run column: engines that infer the
// types of partition values (DuckDB, Spark, Trino) would read a folder
// run=12 as the number 12, or 0012 as 12, and join or filter it wrongly;
// the prefix keeps the folder's value a string in all of them.
const PartitionKey = "part"

// partitionPrefix starts every partition value.
const partitionPrefix = "run-"

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
	return filepath.Join(out, root, table, PartitionKey+"="+partitionPrefix+url.PathEscape(label))
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
	fs, ferr := findingRows(run.Run, rep)
	err = errors.Join(
		ferr,
		writeFile(filepath.Join(dir, "runs"), []RunRow{runRow(run, rep)}),
		writeRequests(dir, run.Run, rep, payloads),
		writeFile(filepath.Join(dir, "findings"), fs),
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
	s := newStream[T](path)
	for _, r := range rows {
		s.add(r)
	}
	return s.close()
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

func runRow(r store.Run, rep *report.Report) RunRow {
	row := RunRow{Run: r.Run, Source: r.Source, Kind: r.Kind, Status: r.Status, Error: r.Error, Fingerprint: r.Fingerprint,
		AnalysedAt: timeOf(r.AnalysedAt), Started: timeOf(r.Started),
		Permissions: r.Permissions, PermissionStates: r.PermissionStates, Category: r.Category,
		DeviceModel: r.Device.Model, Android: r.Device.Android, ABI: r.Device.ABI, AppPackage: r.App.Package, AppVersion: r.App.Version,
		Requests: int64(r.Requests), Findings: int64(r.Findings), DataTypes: nonNil(r.DataTypes), DecryptedPayloads: int64(r.DecryptedPayloads),
		MiniProgramBrowsing: r.MiniProgramBrowsing, RecordsEncrypted: i64p(r.RecordsEncrypted), RecordsDecrypted: i64p(r.RecordsDecrypted),
		PayloadsNotDecrypted: i64p(r.PayloadsNotDecrypted), Coverage: r.Coverage, NotDecrypted: nonNil(r.NotDecrypted), AnalysisErrors: int64(r.AnalysisErrors)}
	if row.PermissionStates == nil {
		row.PermissionStates = map[string]string{}
	}
	seen := runSeen(r.Run, rep)
	row.MiniPrograms, row.Features = seen.miniPrograms, seen.features
	row.DetectedDeviceModels, row.DetectedOSVersions, row.DetectedClientVersions = seen.deviceModels, seen.osVersions, seen.clientVersions
	return row
}

// timeOf is t as a column value: NULL when t is unknown.
func timeOf(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// parseTime reads a report's RFC 3339 time ("" when unknown) as a column
// value.
func parseTime(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fmt.Errorf("time %q is not RFC 3339", s)
	}
	return timeOf(t), nil
}

// writeRequests streams the requests with their payloads, and the decoded
// strings of the payloads, into the folder dir's requests and strings
// files, one row group at a time: payloads is read once.
func writeRequests(dir, label string, rep *report.Report, payloads func(func(store.Payload) error) error) error {
	reqs := newStream[RequestRow](filepath.Join(dir, "requests"))
	strs := newStream[StringRow](filepath.Join(dir, "strings"))
	var all []report.Request
	if rep != nil {
		for _, q := range rep.Requests {
			if q.Run == label {
				all = append(all, q)
			}
		}
	}
	next := 0 // index in all of the next row to write
	emit := func(upTo int, payload []byte) error {
		for ; next < len(all) && all[next].ID <= upTo; next++ {
			q := all[next]
			t, err := parseTime(q.Time)
			if err != nil {
				return fmt.Errorf("request %d: %w", q.ID, err)
			}
			row := RequestRow{Run: label, ID: int64(q.ID), Seq: int64(q.Seq), Time: t, Feature: q.Feature, FeatureReason: q.FeatureReason,
				Recipient: q.Recipient, URI: q.URI, ReqType: int64(q.ReqType), Size: int64(q.Size), Source: q.Source, DataTypes: nonNil(q.DataTypes)}
			if q.ID == upTo && payload != nil {
				row.Payload = append([]byte(nil), payload...)
			}
			reqs.add(row)
		}
		return reqs.err
	}
	var err error
	if payloads != nil {
		err = payloads(func(p store.Payload) error {
			for _, s := range p.Strings {
				strs.add(StringRow{Run: label, Request: int64(p.Request), FieldPath: s.FieldPath, Value: s.Value})
			}
			if err := emit(p.Request, p.Bytes); err != nil {
				return err
			}
			return strs.err
		})
	}
	if err == nil {
		err = emit(int(^uint(0)>>1), nil)
	}
	return errors.Join(err, reqs.close(), strs.close())
}

// stream writes rows to a new file a row group at a time; its first error
// sticks, and later rows are dropped.
type stream[T any] struct {
	f   *os.File
	w   *pq.GenericWriter[T]
	buf []T
	err error
}

func newStream[T any](path string) *stream[T] {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return &stream[T]{err: err}
	}
	return &stream[T]{f: f, w: pq.NewGenericWriter[T](f, pq.Compression(&pq.Snappy)), buf: make([]T, 0, rowBuffer)}
}

func (s *stream[T]) add(row T) {
	if s.err != nil {
		return
	}
	if s.buf = append(s.buf, row); len(s.buf) == cap(s.buf) {
		s.flush()
	}
}

func (s *stream[T]) flush() {
	if len(s.buf) > 0 && s.err == nil {
		_, s.err = s.w.Write(s.buf)
	}
	s.buf = s.buf[:0]
}

// close flushes and closes the file; it reports the stream's first error.
func (s *stream[T]) close() error {
	if s.f == nil {
		return s.err
	}
	s.flush()
	if s.err == nil {
		s.err = s.w.Close()
	}
	if err := s.f.Close(); s.err == nil {
		s.err = err
	}
	return s.err
}

func findingRows(label string, rep *report.Report) ([]FindingRow, error) {
	var out []FindingRow
	if rep == nil {
		return out, nil
	}
	for _, f := range rep.Findings {
		if f.Run != label {
			continue
		}
		t, err := parseTime(f.Time)
		if err != nil {
			return nil, fmt.Errorf("finding %s: %w", f.ID, err)
		}
		row := FindingRow{Run: label, Time: t, ID: f.ID, Request: int64(f.Request), DataType: f.DataType, Confidence: f.Confidence, Feature: f.Feature,
			Recipient: f.Recipient, URI: f.URI, ReqType: int64(f.ReqType), Permissions: f.Permissions, AppID: f.AppID,
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
	return out, nil
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
		out = append(out, GapRow{Run: label, ID: int64(len(out)), Kind: g.Kind, DataType: g.DataType, Feature: g.Feature, Recipient: g.Recipient,
			Clause: g.Clause, Statement: g.Statement, Findings: nonNil(g.Findings)})
	}
	return out
}
