package parquet

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	pq "github.com/parquet-go/parquet-go"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/store"
)

func TestStageCommit(t *testing.T) {
	out := t.TempDir()
	staging := filepath.Join(out, ".staging")
	os.MkdirAll(staging, 0o755)
	rep := &report.Report{
		Requests: []report.Request{{ID: 0, Run: "r1", Seq: 1, Feature: "startup", Time: "2026-12-01T10:00:00.5+08:00"},
			{ID: 1, Run: "r1", Seq: 2, Feature: "miniprograms"}, {ID: 2, Run: "r1", Seq: 3, Feature: "startup"}},
		Findings: []report.Finding{
			{ID: "f1", Run: "r1", Request: 2, DataType: "location", Source: report.Source{Frames: []int64{4, 5}}},
			{ID: "f2", Run: "r1", Request: 1, DataType: "miniprogram_id", AppID: "wxlaunched", MPSession: "hash=1&ts=2", Recipient: "wechat"},
			{ID: "f3", Run: "r1", Request: 1, DataType: "miniprogram_id", AppID: "wxnamedonly", Recipient: "wechat", Evidence: report.Evidence{Value: "wxnamedonly"}},
			{ID: "f4", Run: "r1", Request: 1, DataType: "client_version", Evidence: report.Evidence{Value: "671094583"}},
		},
	}
	payloads := func(yield func(store.Payload) error) error {
		return yield(store.Payload{Request: 1, Bytes: []byte("hi"), Strings: []store.String{{FieldPath: "1.2", Value: "小程序"}}})
	}
	// A label that looks like a number; the run row as the corpus gives it.
	st, err := Stage(out, Dir, staging, store.Run{Run: "0012", Status: store.StatusOK}, relabel(rep, "0012"), payloads)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, Dir)); !os.IsNotExist(err) {
		t.Fatalf("staging wrote into %s before Commit: %v", Dir, err)
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := PartitionDir(out, "runs", "0012"); filepath.Base(got) != "part=run-0012" {
		t.Errorf("partition folder %s", got)
	}
	reqs, err := pq.ReadFile[RequestRow](filepath.Join(PartitionDir(out, "requests", "0012"), partFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 3 || string(reqs[1].Payload) != "hi" || reqs[0].Payload != nil || reqs[2].ID != 2 || reqs[2].Run != "0012" {
		t.Errorf("requests = %+v", reqs)
	}
	if want := time.Date(2026, 12, 1, 2, 0, 0, 5e8, time.UTC); reqs[0].Time == nil || !reqs[0].Time.Equal(want) || reqs[1].Time != nil {
		t.Errorf("request times %v, %v: want %v and NULL", reqs[0].Time, reqs[1].Time, want)
	}
	fs, err := pq.ReadFile[FindingRow](filepath.Join(PartitionDir(out, "findings", "0012"), partFile))
	if err != nil || len(fs) != 4 || fs[0].Frames[1] != 5 || fs[0].Lat != nil || fs[0].Time != nil {
		t.Errorf("findings = %+v, %v", fs, err)
	}
	runs, err := pq.ReadFile[RunRow](filepath.Join(PartitionDir(out, "runs", "0012"), partFile))
	if err != nil || len(runs) != 1 || runs[0].Status != "ok" || runs[0].Run != "0012" || runs[0].AnalysedAt != nil {
		t.Fatalf("runs = %+v, %v", runs, err)
	}
	r := runs[0]
	if !slices.Equal(r.MiniPrograms, []string{"wxlaunched"}) || !slices.Equal(r.Features, []string{"miniprograms", "startup"}) ||
		!slices.Equal(r.DetectedClientVersions, []string{"671094583"}) || r.DetectedOSVersions == nil {
		t.Errorf("runs row: miniprograms %q, features %q, client versions %q, OS versions %#v", r.MiniPrograms, r.Features, r.DetectedClientVersions, r.DetectedOSVersions)
	}
	strs, err := pq.ReadFile[StringRow](filepath.Join(PartitionDir(out, "strings", "0012"), partFile))
	if err != nil || len(strs) != 1 || strs[0] != (StringRow{Run: "0012", Request: 1, FieldPath: "1.2", Value: "小程序"}) {
		t.Errorf("strings = %+v, %v", strs, err)
	}
	if ents, _ := os.ReadDir(staging); len(ents) != 0 {
		t.Errorf("staging left %d entries", len(ents))
	}
	if err := Remove(out, "0012"); err != nil {
		t.Fatal(err)
	}
	for _, table := range Tables {
		if _, err := os.Stat(PartitionDir(out, table, "0012")); !os.IsNotExist(err) {
			t.Errorf("Remove left the %s partition", table)
		}
	}
}

// A time that is not RFC 3339 is an error, not a NULL or a guess.
func TestStageBadTime(t *testing.T) {
	out := t.TempDir()
	rep := &report.Report{Requests: []report.Request{{ID: 0, Run: "r", Seq: 1, Time: "yesterday"}}}
	if _, err := Stage(out, Dir, out, store.Run{Run: "r"}, rep, nil); err == nil || !strings.Contains(err.Error(), "yesterday") {
		t.Errorf("err = %v", err)
	}
}

func relabel(rep *report.Report, label string) *report.Report {
	for i := range rep.Requests {
		rep.Requests[i].Run = label
	}
	for i := range rep.Findings {
		rep.Findings[i].Run = label
	}
	return rep
}
