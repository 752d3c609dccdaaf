package serve

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/report"
)

// Hostile and telling strings planted in the synthetic payloads.
const (
	chineseText  = "今天在北京朝阳公园散步，天气很好"
	chineseWord  = "朝阳公园" // a substring of chineseText, not a word of its own
	scriptText   = "<script>document.title='pwned'</script>"
	imgText      = `<img src=x onerror="document.title='pwned'">`
	jsURL        = "javascript:document.title='pwned'"
	testWxid     = "wxid_q4k7m2x9t1"
	testAndroid  = "android-34"
	testEndpoint = "/cgi-bin/micromsg-bin/mmsnspost"
)

// fixtureRequests builds the synthetic run's payloads: protobuf messages
// carrying the strings above, shaped like a Moments post.
func fixtureRequests() []payload.Payload {
	msg := func(fields ...any) []byte {
		var b []byte
		for i := 0; i < len(fields); i += 2 {
			n := protowire.Number(fields[i].(int))
			switch v := fields[i+1].(type) {
			case string:
				b = protowire.AppendTag(b, n, protowire.BytesType)
				b = protowire.AppendString(b, v)
			case []byte:
				b = protowire.AppendTag(b, n, protowire.BytesType)
				b = protowire.AppendBytes(b, v)
			case int:
				b = protowire.AppendTag(b, n, protowire.VarintType)
				b = protowire.AppendVarint(b, uint64(v))
			}
		}
		return b
	}
	base := msg(1, testWxid, 2, testAndroid, 3, 671098936)
	var out []payload.Payload
	for i, body := range [][]byte{
		msg(1, base, 2, chineseText, 3, scriptText, 4, imgText, 5, jsURL),
		msg(1, base, 2, "second post", 6, 1700000000),
		msg(1, base, 2, "third post "+chineseText),
	} {
		out = append(out, payload.Payload{Source: "fixture", Line: i + 1, Link: payload.LinkShortlink, Direction: payload.DirRequest,
			Time: "2024-10-01T09:30:0" + string(rune('1'+i)) + "Z", URI: testEndpoint, ReqType: 209, Payload: body})
	}
	return out
}

// fixtureSource analyses the synthetic payloads with the real pipeline and
// serves the report with its payloads, as a report folder with
// requests.jsonl is served.
func fixtureSource(t testing.TB) (*ReportSource, *report.Report) {
	t.Helper()
	ps := fixtureRequests()
	dir := t.TempDir()
	path := filepath.Join(dir, "moments_1.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for _, p := range ps {
		if err := enc.Encode(p); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	rep, err := analyze.Run(context.Background(), []analyze.Input{{Path: path, Label: "moments_1", Permissions: "off"}}, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Requests) != len(ps) {
		t.Fatalf("analyze kept %d requests, want %d", len(rep.Requests), len(ps))
	}
	// A hostile run label and a second run for the diff.
	payloads := func(id int) []byte {
		if id < 0 || id >= len(ps) {
			return nil
		}
		return ps[id].Payload
	}
	return NewReportSource(rep, payloads, "fixture", nil), rep
}
