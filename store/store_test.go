package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/report"
)

func testRep(label string) *report.Report {
	return &report.Report{
		Requests: []report.Request{
			{ID: 0, Run: label, Seq: 1, Feature: "startup", Recipient: "wechat", URI: "/cgi-bin/micromsg-bin/newreportkvcomm", Size: 10, Source: "c.pcapng frames [3]", DataTypes: []string{"location"}},
			{ID: 1, Run: label, Seq: 2, Feature: "miniprogram", Recipient: "wechat", Size: 4, Source: "c.pcapng frames [9]"},
		},
		Findings: []report.Finding{
			{ID: "f1", Run: label, Request: 0, DataType: "location", Confidence: "high", Feature: "startup", Recipient: "wechat",
				Evidence: report.Evidence{FieldPath: "2.1", Value: "22.54,114.05", Rule: "coords"}, Coord: &classify.Coord{Lat: 22.54, Lon: 114.05, PrecisionM: 1, Encoding: "decimal"},
				Source: report.Source{File: "c.pcapng", Frames: []int64{3}}},
			{ID: "f2", Run: label, Request: 1, DataType: "ui_events", Confidence: "medium", Feature: "miniprogram", Recipient: "wechat"},
		},
		Policy: &report.PolicyResult{Model: "wechat", Gaps: []report.Gap{{Kind: "omitted", DataType: "location", Feature: "startup", Recipient: "wechat", Run: label, Statement: "not disclosed", Findings: []string{"f1"}}}},
	}
}

func testPayloads(yield func(Payload) error) error {
	if err := yield(Payload{Request: 0, Bytes: []byte{1, 2, 3}, Strings: []String{{"2.5", "深圳市南山区科技园"}, {"2.6", "Hello_World 100%"}}}); err != nil {
		return err
	}
	return yield(Payload{Request: 1, Bytes: []byte{4}, Strings: []String{{"1", `say "hi"`}, {"2", "位置"}}})
}

func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func testRun(label string) Run {
	enc, dec, pnd := 10, 9, 0
	cov := 0.9
	return Run{Run: label, Source: "runs/" + label, Kind: KindCapture, Status: StatusOK, Fingerprint: "abc",
		AnalysedAt: time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC), Permissions: "on", PermissionStates: map[string]string{"location": "on"},
		Category: "health", Requests: 2, Findings: 2, DataTypes: []string{"location", "ui_events"}, DecryptedPayloads: 2,
		MiniProgramBrowsing: true, RecordsEncrypted: &enc, RecordsDecrypted: &dec, PayloadsNotDecrypted: &pnd, Coverage: &cov, NotDecrypted: []string{"1 records: no key"}}
}

func TestPutAndRead(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	for _, l := range []string{"b", "a"} {
		if err := s.PutRun(ctx, testRun(l), testRep(l), testPayloads); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := s.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Run != "a" {
		t.Fatalf("runs = %+v", runs)
	}
	if d := cmp.Diff(testRun("a"), runs[0]); d != "" {
		t.Errorf("run (-want +got)\n%s", d)
	}
	reqs, total, err := s.Requests(ctx, RequestFilter{DataType: "location"})
	if err != nil || total != 2 || len(reqs) != 2 || reqs[0].Run != "a" || reqs[0].ID != 0 {
		t.Fatalf("requests by data type = %+v, %d, %v", reqs, total, err)
	}
	reqs, total, _ = s.Requests(ctx, RequestFilter{Run: "b", Page: Page{Offset: 1, Limit: 1}})
	if total != 2 || len(reqs) != 1 || reqs[0].Seq != 2 {
		t.Fatalf("paged requests = %+v, %d", reqs, total)
	}
	d, err := s.Request(ctx, "a", 0)
	if err != nil {
		t.Fatal(err)
	}
	if string(d.Payload) != "\x01\x02\x03" || len(d.Strings) != 2 || len(d.Findings) != 1 || d.Findings[0].Coord == nil {
		t.Errorf("request detail = %+v", d)
	}
	if d := cmp.Diff(testRep("a").Findings[:1], d.Findings, cmpopts.IgnoreUnexported(classify.Coord{})); d != "" {
		t.Errorf("findings (-want +got)\n%s", d)
	}
	if _, err := s.Request(ctx, "a", 7); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing request: %v", err)
	}
	if _, err := s.Run(ctx, "zz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing run: %v", err)
	}
	fs, total, _ := s.Findings(ctx, FindingFilter{DataType: "ui_events"})
	if total != 2 || len(fs) != 2 {
		t.Errorf("findings = %+v", fs)
	}
	gs, total, _ := s.Gaps(ctx, GapFilter{Run: "b"})
	if total != 1 || gs[0].Findings[0] != "f1" {
		t.Errorf("gaps = %+v", gs)
	}
	cells, _ := s.Matrix(ctx)
	if len(cells) != 4 {
		t.Errorf("matrix = %+v", cells)
	}

	// A reader sees the same through a read-only handle.
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if runs, _ := ro.Runs(ctx); len(runs) != 2 {
		t.Errorf("read-only runs = %d", len(runs))
	}
	if err := ro.PutRun(ctx, testRun("c"), nil, nil); err == nil {
		t.Error("read-only store accepted a write")
	}
}

// search runs s.Search and fails the test on an error, so that a check for
// no hits cannot pass because the search itself failed.
func search(t *testing.T, s *Store, q string, f SearchFilter) []Hit {
	t.Helper()
	hits, err := s.Search(context.Background(), q, f)
	if err != nil {
		t.Fatalf("search %q %+v: %v", q, f, err)
	}
	return hits
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if err := s.PutRun(ctx, testRun("a"), testRep("a"), testPayloads); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want []string // field paths
	}{
		{"南山区", []string{"2.5"}},         // CJK substring in the middle of a word, trigram
		{"科技园", []string{"2.5"}},         // at the end
		{"市南山区科", []string{"2.5"}},       // longer
		{"南山", []string{"2.5"}},          // two characters: LIKE
		{"位置", []string{"2"}},            // a whole two-character value
		{"置", []string{"2"}},             // one character
		{"hello_world", []string{"2.6"}}, // ASCII case-insensitive
		{"o_W", []string{"2.6"}},
		{"_", []string{"2.6"}}, // LIKE wildcard taken literally
		{"%", []string{"2.6"}},
		{`"hi"`, []string{"1"}}, // quotes in an FTS query
		{"北京", nil},
		{"lo_x", nil},
		{"\x00", nil}, // LIKE would read an empty pattern and match everything
	}
	for _, tt := range tests {
		hits, err := s.Search(ctx, tt.q, SearchFilter{})
		if err != nil {
			t.Errorf("%q: %v", tt.q, err)
			continue
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.FieldPath)
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("search %q (-want +got)\n%s", tt.q, d)
		}
	}
	if hits := search(t, s, "南山区", SearchFilter{Run: "a"}); len(hits) != 1 {
		t.Errorf("run filter a: %+v", hits)
	}
	if hits := search(t, s, "南山区", SearchFilter{Run: "zz"}); len(hits) != 0 {
		t.Errorf("run filter zz: %+v", hits)
	}
	if _, err := s.Search(ctx, "", SearchFilter{}); err == nil {
		t.Error("empty query accepted")
	}
}

// A run whose write fails half-way keeps its previous rows: nothing half
// written is visible.
func TestPutRunAtomic(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if err := s.PutRun(ctx, testRun("a"), testRep("a"), testPayloads); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("interrupted")
	r := testRun("a")
	r.Fingerprint = "new"
	err := s.PutRun(ctx, r, testRep("a"), func(yield func(Payload) error) error {
		if err := yield(Payload{Request: 0, Bytes: []byte{9}, Strings: []String{{"x", "half written"}}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	got, err := s.Run(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if got.Fingerprint != "abc" {
		t.Errorf("fingerprint = %q after a failed write", got.Fingerprint)
	}
	if hits := search(t, s, "half written", SearchFilter{}); len(hits) != 0 {
		t.Errorf("half-written strings visible: %+v", hits)
	}
	if hits := search(t, s, "南山区", SearchFilter{}); len(hits) != 1 {
		t.Errorf("previous strings lost: %+v", hits)
	}
	// Replacing and deleting remove the old strings from the index too.
	if err := s.PutRun(ctx, r, testRep("a"), nil); err != nil {
		t.Fatal(err)
	}
	if hits := search(t, s, "南山区", SearchFilter{}); len(hits) != 0 {
		t.Errorf("replaced run's strings still found: %+v", hits)
	}
	if err := s.DeleteRun(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if runs, err := s.Runs(ctx); err != nil || len(runs) != 0 {
		t.Errorf("runs after delete: %+v, %v", runs, err)
	}
}

// A store of schema 2 (before the gram tables) is refused with a clear
// error, read-only too: serve and corpus --add say to write a new corpus
// folder rather than search without the indexes.
func TestOpenRejectsSchema2(t *testing.T) {
	s, path := openTest(t)
	if _, err := s.DB().Exec(`UPDATE meta SET value = '2' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, open := range []func(string) (*Store, error){Open, OpenReadOnly} {
		_, err := open(path)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("schema version 2, this wxaudit reads %d: write a new corpus folder", SchemaVersion)) {
			t.Errorf("err = %v", err)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	s, path := openTest(t)
	if _, err := s.DB().Exec(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path); err == nil {
		t.Error("opened a store of another schema version")
	}
	if _, err := OpenReadOnly(filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Error("read-only open of a missing file succeeded")
	}
}
