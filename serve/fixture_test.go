package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/policy"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/synth"
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
		out = append(out, payload.Payload{Link: payload.LinkShortlink, Direction: payload.DirRequest,
			Time: "2024-10-01T09:30:0" + string(rune('1'+i)) + "Z", URI: testEndpoint, ReqType: 209, Payload: body})
	}
	return out
}

// fixtureSource analyses the synthetic payloads with the real pipeline and
// serves the report with its payloads, as a report folder with
// requests.jsonl is served.
func fixtureSource(t testing.TB) (*ReportSource, *report.Report) {
	t.Helper()
	path := writePayloads(t, t.TempDir(), "moments_1.jsonl", fixtureRequests())
	return analyzeSource(t, []analyze.Input{{Path: path, Label: "moments_1", Permissions: "off"}}, false)
}

// studySource is a small study for the browser tests and screenshots: the
// synthetic "all" and "location-denied" scenarios as two runs plus the
// hostile run, compared with the WeChat policy model.
func studySource(t testing.TB) (*ReportSource, *report.Report) {
	t.Helper()
	dir := t.TempDir()
	var inputs []analyze.Input
	for _, sc := range []struct{ name, label, perm string }{{"all", "all_permissions_on", "on"}, {"location-denied", "location_denied", "off"}} {
		out := filepath.Join(dir, sc.name)
		if _, err := synth.Generate(synth.Options{Scenario: sc.name, Seed: 7, OutDir: out}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, "manifest.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		var ps []payload.Payload
		for _, ln := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			var p payload.Payload
			if err := json.Unmarshal(ln, &p); err != nil {
				t.Fatal(err)
			}
			ps = append(ps, p)
		}
		path := writePayloads(t, dir, sc.label+".jsonl", ps)
		inputs = append(inputs, analyze.Input{Path: path, Label: sc.label, Permissions: sc.perm})
	}
	path := writePayloads(t, dir, "hostile.jsonl", fixtureRequests())
	inputs = append(inputs, analyze.Input{Path: path, Label: "hostile <b>run</b>", Permissions: "off"})
	return analyzeSource(t, inputs, true)
}

// writePayloads writes ps as payload JSONL; each line names its file and
// line as capture and frame, so a request's Source leads back to its bytes.
func writePayloads(t testing.TB, dir, name string, ps []payload.Payload) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for i, p := range ps {
		p.Capture, p.Frames = name, []int64{int64(i + 1)}
		if err := enc.Encode(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// analyzeSource runs analyze (and, with withPolicy, the WeChat policy
// model) and serves the result; each request's payload is read back from
// the input line its Source names.
func analyzeSource(t testing.TB, inputs []analyze.Input, withPolicy bool) (*ReportSource, *report.Report) {
	t.Helper()
	rep, err := analyze.Run(context.Background(), inputs, analyze.Options{KeepPayloads: true})
	if err != nil {
		t.Fatal(err)
	}
	if withPolicy {
		applyWeChatPolicy(t, rep)
	}
	lines := map[string][]byte{}
	for _, in := range inputs {
		b, err := os.ReadFile(in.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, ln := range bytes.Split(b, []byte("\n")) {
			var p payload.Payload
			if json.Unmarshal(ln, &p) == nil {
				lines[fmt.Sprintf("%s frames %v", p.Capture, p.Frames)] = p.Payload
			}
		}
	}
	payloads := func(id int) []byte {
		if id < 0 || id >= len(rep.Requests) {
			return nil
		}
		return lines[rep.Requests[id].Source]
	}
	if len(rep.Requests) == 0 || payloads(0) == nil {
		t.Fatalf("no payload for request 0 (source %q)", rep.Requests[0].Source)
	}
	return NewReportSource(rep, payloads, "fixture"), rep
}

// applyWeChatPolicy compares the findings with the shipped WeChat model,
// as analyze --policy does.
func applyWeChatPolicy(t testing.TB, rep *report.Report) {
	m, err := policy.Open("wechat")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteFindings(&buf); err != nil {
		t.Fatal(err)
	}
	flows, err := policy.ReadFindings(&buf, report.FindingsFile, policy.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res := &report.PolicyResult{Model: m.Name, Title: m.Title, Version: m.Version}
	for _, g := range policy.Evaluate(m, flows, policy.Options{OmitConsistent: true}) {
		res.Gaps = append(res.Gaps, report.Gap{Kind: string(g.Verdict), DataType: g.DataType, Feature: g.Feature,
			Recipient: g.Recipient, Run: g.Run, Clause: g.Clause, Statement: g.Explanation, Findings: g.Evidence})
	}
	rep.Policy = res
}
