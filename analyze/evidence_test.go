package analyze_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/report"
)

// batchPayload is one report request carrying three events in a repeated
// field: a page view of Mini Program A with its stay time, one of Mini
// Program B with another stay time, and an official-account article view
// that names no Mini Program. A location sits at the top level, outside
// every event.
func batchPayload() []byte {
	var b []byte
	for _, ev := range []string{
		`{"appid":"wxa1a1a1a1a1a1a1a1","page_path":"pages/alpha/index","staytime":1111}`,
		`{"appid":"wxb2b2b2b2b2b2b2b2","page_path":"pages/beta/detail","staytime":2222}`,
		`{"url":"https://mp.weixin.qq.com/s?__biz=MzA5&mid=1&idx=1","staytime":3333}`,
	} {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendString(b, ev)
	}
	b = protowire.AppendTag(b, 3, protowire.BytesType)
	b = protowire.AppendString(b, `{"latitude":31.230416,"longitude":121.473701}`)
	return b
}

func writeLog(t *testing.T, dir, name string, payloads ...[]byte) string {
	t.Helper()
	var sb strings.Builder
	for i, p := range payloads {
		fmt.Fprintf(&sb, `{"data": "%s", "req_id": %d, "req_type": "/cgi-bin/micromsg-bin/newreportkvcomm"}`+"\n", hex.EncodeToString(p), i+1)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBatchAttribution: a finding tied to an appid has that appid in its
// own entry (or at the request's top level); a stay time belongs to its
// own page; the article view and the top-level location belong to no Mini
// Program.
func TestBatchAttribution(t *testing.T) {
	path := writeLog(t, t.TempDir(), "batch.log.jsonl", batchPayload())
	rep, err := analyze.Run(context.Background(), []analyze.Input{{Path: path}}, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	appsByEntry := map[int][]string{}
	for _, f := range rep.Findings {
		if f.DataType == "miniprogram_id" {
			appsByEntry[f.Entry] = append(appsByEntry[f.Entry], f.Evidence.Value)
		}
	}
	sawPage := 0
	for _, f := range rep.Findings {
		if f.AppID != "" && !slices.Contains(appsByEntry[f.Entry], f.AppID) && !slices.Contains(appsByEntry[0], f.AppID) {
			t.Errorf("%s %s (entry %d) tied to %s, which is not in its entry", f.DataType, f.Evidence.Value, f.Entry, f.AppID)
		}
		switch {
		case f.DataType == "location" && f.AppID != "":
			t.Errorf("top-level location tied to Mini Program %s", f.AppID)
		case strings.Contains(f.Evidence.Context, "__biz") && f.AppID != "":
			t.Errorf("article view %s tied to Mini Program %s", f.Evidence.FieldPath, f.AppID)
		case f.DataType == "miniprogram_page_path":
			sawPage++
			want := map[string]string{"pages/alpha/index": "wxa1a1a1a1a1a1a1a1", "pages/beta/detail": "wxb2b2b2b2b2b2b2b2"}[f.Evidence.Value]
			if f.AppID != want {
				t.Errorf("page %s tied to %q, want %q", f.Evidence.Value, f.AppID, want)
			}
		}
	}
	if sawPage < 2 {
		t.Fatalf("pages not detected: %d", sawPage)
	}
	stays := map[string]int64{}
	for _, mp := range rep.Summarize().MiniPrograms {
		for _, p := range mp.Pages {
			stays[p.Page] = p.StayMS
		}
		if mp.Launches != 1 || !mp.LaunchesInferred {
			t.Errorf("%s: launches %d (inferred %v), want 1 inferred", mp.AppID, mp.Launches, mp.LaunchesInferred)
		}
	}
	if stays["pages/alpha/index"] != 1111 || stays["pages/beta/detail"] != 2222 {
		t.Errorf("stay times not per page: %v", stays)
	}
}

// TestFindingIDsStable: the same input gives the same IDs, and analysing a
// subset of the inputs gives a subset of the IDs.
func TestFindingIDsStable(t *testing.T) {
	dir := t.TempDir()
	other := []byte(protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), `{"appid":"wxc3c3c3c3c3c3c3c3","page_path":"pages/gamma/index"}`))
	a := writeLog(t, dir, "a.log.jsonl", batchPayload())
	b := writeLog(t, dir, "b.log.jsonl", other, batchPayload())
	ids := func(paths ...string) map[string]bool {
		var in []analyze.Input
		for _, p := range paths {
			in = append(in, analyze.Input{Path: p})
		}
		rep, err := analyze.Run(context.Background(), in, analyze.Options{NoPrefix: true})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, f := range rep.Findings {
			if out[f.ID] {
				t.Errorf("duplicate ID %s", f.ID)
			}
			out[f.ID] = true
		}
		return out
	}
	all, again, sub := ids(a, b), ids(a, b), ids(b)
	if len(all) == 0 || !mapsEqual(all, again) {
		t.Fatalf("IDs differ between two runs of the same input")
	}
	for id := range sub {
		if !all[id] {
			t.Errorf("subset ID %s not in the full analysis", id)
		}
	}
	if len(sub) >= len(all) {
		t.Errorf("subset has %d IDs, full %d", len(sub), len(all))
	}
}

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

var _ = json.Marshal
var _ report.Finding
