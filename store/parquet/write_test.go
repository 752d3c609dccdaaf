package parquet

import (
	"os"
	"path/filepath"
	"testing"

	pq "github.com/parquet-go/parquet-go"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/store"
)

func TestStageCommit(t *testing.T) {
	out := t.TempDir()
	staging := filepath.Join(out, ".staging")
	os.MkdirAll(staging, 0o755)
	rep := &report.Report{
		Requests: []report.Request{{ID: 0, Run: "r1", Seq: 1, Feature: "startup"}, {ID: 1, Run: "r1", Seq: 2}, {ID: 2, Run: "r1", Seq: 3}},
		Findings: []report.Finding{{ID: "f1", Run: "r1", Request: 2, DataType: "location", Source: report.Source{Frames: []int64{4, 5}}}},
	}
	payloads := func(yield func(store.Payload) error) error {
		return yield(store.Payload{Request: 1, Bytes: []byte("hi")})
	}
	st, err := Stage(out, Dir, staging, store.Run{Run: "r1", Status: store.StatusOK}, rep, payloads)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, Dir)); !os.IsNotExist(err) {
		t.Fatalf("staging wrote into %s before Commit: %v", Dir, err)
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	reqs, err := pq.ReadFile[RequestRow](filepath.Join(PartitionDir(out, "requests", "r1"), partFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 3 || string(reqs[1].Payload) != "hi" || reqs[0].Payload != nil || reqs[2].ID != 2 {
		t.Errorf("requests = %+v", reqs)
	}
	fs, err := pq.ReadFile[FindingRow](filepath.Join(PartitionDir(out, "findings", "r1"), partFile))
	if err != nil || len(fs) != 1 || fs[0].Frames[1] != 5 || fs[0].Lat != nil {
		t.Errorf("findings = %+v, %v", fs, err)
	}
	runs, err := pq.ReadFile[RunRow](filepath.Join(PartitionDir(out, "runs", "r1"), partFile))
	if err != nil || len(runs) != 1 || runs[0].Status != "ok" {
		t.Errorf("runs = %+v, %v", runs, err)
	}
	if ents, _ := os.ReadDir(staging); len(ents) != 0 {
		t.Errorf("staging left %d entries", len(ents))
	}
	if err := Remove(out, "r1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(PartitionDir(out, "runs", "r1")); !os.IsNotExist(err) {
		t.Error("Remove left the partition")
	}
}
