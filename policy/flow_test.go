package policy

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/attribute"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

func TestReadFindings(t *testing.T) {
	in := `{"data_type":"location","feature":"location","recipient":"wechat","uri":"/b","req_type":2,"run":"x_permissions_on","evidence":{"field_path":"1","value":"SECRET","rule":"r"},"source":"a.log:1"}
{"data_type":"location","feature":"location","recipient":"wechat","uri":"/a","req_type":1,"run":"x_permissions_on","evidence":{"field_path":"2","value":"SECRET","rule":"r"},"source":{"file":"a.log","line":2}}

{"id":"F9","data_type":"location","feature":"location","recipient":"wechat","uri":"/a","req_type":1,"run":"x_permissions_on","appid":"wx1"}
{"data_type":"device_id","confidence":"low","run":"plain"}
{"data_type":"device_id","confidence":"high","feature":"sync","recipient":"wechat","run":"plain","permissions":"denied"}
`
	flows, err := ReadFindings(strings.NewReader(in), "f.jsonl", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The finding that names a Mini Program is a flow of its own.
	if len(flows) != 4 {
		t.Fatalf("got %d flows, want 4: %+v", len(flows), flows)
	}
	f := flows[0]
	if !slices.Equal(f.URIs, []string{"/a", "/b"}) || !slices.Equal(f.ReqTypes, []int{1, 2}) ||
		!slices.Equal(f.FindingIDs, []string{"f.jsonl:1", "f.jsonl:2"}) || f.Permissions != taxonomy.PermOn || f.Subject != "" {
		t.Errorf("flow 0: %+v", f)
	}
	if f.Examples[1].Source != "a.log:2" {
		t.Errorf("source: %q", f.Examples[1].Source)
	}
	if g := flows[1]; !slices.Equal(g.FindingIDs, []string{"F9"}) || g.Subject != "wx1" {
		t.Errorf("flow 1 (about a Mini Program): %+v", g)
	}
	if flows[2].Feature != "other" || flows[2].Recipient != "other" || flows[2].Permissions != taxonomy.PermUnknown {
		t.Errorf("flow 2 defaults: %+v", flows[2])
	}
	if flows[3].Permissions != taxonomy.PermOff {
		t.Errorf("permissions field: %+v", flows[3])
	}
	for _, fl := range flows {
		for _, ex := range fl.Examples {
			if strings.Contains(ex.Source+ex.FieldPath+ex.Rule, "SECRET") {
				t.Errorf("a finding's value leaked into a flow")
			}
		}
	}

	flows, _ = ReadFindings(strings.NewReader(in), "f.jsonl", ReadOptions{MinConfidence: "medium", Permissions: map[string]string{"x_permissions_on": "off"}})
	if len(flows) != 3 || flows[0].Permissions != taxonomy.PermOff {
		t.Errorf("options ignored: %+v", flows)
	}
}

func TestReadFindingsErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"{}\n", "policy: f.jsonl:1: finding without data_type"},
		{`{"data_type":"x"}` + "\n{oops\n", "policy: f.jsonl:2: invalid character"},
		{`{"data_type":1}`, "policy: f.jsonl:1: json: cannot unmarshal"},
		{strings.Repeat("x", maxFindingLine+1), "policy: f.jsonl:1: line longer than"},
	}
	for _, tt := range tests {
		_, err := ReadFindings(strings.NewReader(tt.in), "f.jsonl", ReadOptions{})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("got %v, want %q", err, tt.want)
		}
	}
}

func TestRunPermissions(t *testing.T) {
	for run, want := range map[string]string{
		"dl_mini_program_permissions_on_1": taxonomy.PermOn, "startup_permissions_off": taxonomy.PermOff, "perm-on": taxonomy.PermOn,
		"Startup Permission Denied": taxonomy.PermOff, "no_permissions_startup": taxonomy.PermOff, "no_permission": taxonomy.PermOff,
		"startup_data_1": taxonomy.PermUnknown, "": taxonomy.PermUnknown, "permissions_granted": taxonomy.PermOn,
	} {
		if got := attribute.RunPermissions(run); got != want {
			t.Errorf("attribute.RunPermissions(%q) = %q, want %q", run, got, want)
		}
	}
}

// TestGoldenGaps evaluates the hand-made testdata/findings.jsonl (synthetic)
// against the shipped WeChat model and compares gaps.jsonl, the Markdown
// and the text with their goldens.
func TestGoldenGaps(t *testing.T) {
	flows, err := ReadReport("testdata", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Builtin(WeChat)
	gaps := Evaluate(m, flows, Options{FollowHandoffs: true})
	kinds := countVerdicts(gaps)
	for _, k := range Verdicts {
		if kinds[k] == 0 {
			t.Errorf("testdata/findings.jsonl yields no %s gap", k)
		}
	}
	var jb, mb, tb bytes.Buffer
	if err := WriteGaps(&jb, gaps); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "gaps.jsonl.golden", jb.Bytes())
	if err := WriteMarkdown(&mb, gaps, RenderOptions{Model: m, Consistent: true}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "gaps.md.golden", mb.Bytes())
	if err := WriteText(&tb, gaps, RenderOptions{Model: m}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "gaps.txt.golden", tb.Bytes())

	if strings.Contains(mb.String(), "<script>") {
		t.Error("markdown carries a raw <script> from the input")
	}
	// Round trip: gaps.jsonl reads back to the same gaps.
	back, err := readGaps(&jb)
	if err != nil {
		t.Fatal(err)
	}
	var jb2 bytes.Buffer
	WriteGaps(&jb2, back)
	if !bytes.Equal(jb2.Bytes(), mustRead(t, "gaps.jsonl.golden")) && !*update {
		t.Error("gaps.jsonl does not round-trip")
	}
}

// TestGoldenShow renders each built-in model as `wxaudit policy show` does.
func TestGoldenShow(t *testing.T) {
	for _, n := range BuiltinNames() {
		m, _ := Builtin(n)
		var b bytes.Buffer
		if err := WriteModel(&b, m); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "show-"+n+".golden", b.Bytes())
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzReadFindings(f *testing.F) {
	b, _ := os.ReadFile(filepath.Join("testdata", "findings.jsonl"))
	f.Add(b)
	f.Add([]byte(`{"data_type":"x","source":{"a":[1,{"b":null}]}}`))
	f.Add([]byte(`{"data_type":"x","source":{"file":"c.pcap","frames":[1,2,3,4,5,6,7,8,9,10]}}`))
	m, _ := Builtin(WeChat)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 64<<10 {
			t.Skip()
		}
		flows, err := ReadFindings(bytes.NewReader(b), "f", ReadOptions{})
		if err != nil {
			if flows != nil {
				t.Fatal("flows and error")
			}
			return
		}
		gaps := Evaluate(m, flows, Options{FollowHandoffs: true})
		if len(gaps) != len(flows) {
			t.Fatalf("%d gaps for %d flows", len(gaps), len(flows))
		}
		var out bytes.Buffer
		if err := WriteMarkdown(&out, gaps, RenderOptions{Model: m, Consistent: true}); err != nil {
			t.Fatal(err)
		}
		if err := WriteGaps(&out, gaps); err != nil {
			t.Fatal(err)
		}
	})
}

// TestFlowsOfMatchesReadFindings checks that a report's findings give the
// same flows in memory as read back from the findings.jsonl it writes.
func TestFlowsOfMatchesReadFindings(t *testing.T) {
	rep := &report.Report{Findings: []report.Finding{
		{ID: "f1", DataType: "location", Confidence: "high", Feature: "location", Recipient: "wechat", URI: "/b", ReqType: 2, Run: "x_permissions_on",
			AppID: "wx1", Source: report.Source{File: "a.log", Line: 3}, Evidence: report.Evidence{FieldPath: "1", Rule: "r", Value: "SECRET"}},
		{ID: "f2", DataType: "location", Confidence: "low", Feature: "location", Recipient: "wechat", URI: "/a", Run: "x_permissions_on",
			Source: report.Source{File: "c.pcap", Frames: []int64{1, 2, 3, 4, 5, 6, 7, 8, 9}}},
		{ID: "f3", DataType: "device_id", Run: "plain", Permissions: "off", Source: report.Source{Line: 7}},
		{ID: "f4", DataType: "device_id", Run: "plain", AppID: "wx2"},
		{ID: "f5", DataType: "location", Feature: "location", Recipient: "wechat", URI: "/a", ReqType: 1, Run: "x_permissions_on", AppID: "wx3"},
	}}
	for _, opts := range []ReadOptions{{}, {MinConfidence: "medium", Permissions: map[string]string{"plain": "on"}}} {
		var buf bytes.Buffer
		if err := rep.WriteFindings(&buf); err != nil {
			t.Fatal(err)
		}
		want, err := ReadFindings(&buf, report.FindingsFile, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := FlowsOf(rep.Findings, opts); !reflect.DeepEqual(got, want) {
			t.Errorf("FlowsOf:\n%+v\nReadFindings:\n%+v", got, want)
		}
	}
}
