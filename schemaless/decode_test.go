package schemaless

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wxaudit/wxaudit/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite golden files")

// dhex decodes an annotated hex literal (see internal/testkit).
var dhex = testkit.Hex

// find returns the first node with path p.
func find(m *Tree, p string) *Node {
	var out *Node
	m.Walk(func(n *Node, _ int) bool {
		if out == nil && n.Path == p {
			out = n
		}
		return out == nil
	})
	return out
}

func TestDecodeKinds(t *testing.T) {
	syn := syntheticRequest()
	tests := []struct {
		name  string
		in    []byte
		path  string
		kind  Kind
		chain []Kind
		text  string
	}{
		{"varint", dhex("08 96 01"), "1", KindVarint, []Kind{KindVarint}, ""},
		{"string", dhex("12 05 68656c6c6f"), "2", KindString, []Kind{KindString}, "hello"},
		{"nested message", dhex("1a 03 08 96 01"), "3", KindMessage, []Kind{KindMessage}, ""},
		{"short printable is text not message", tagBytes(nil, 1, []byte("(2")), "1", KindString, []Kind{KindString}, "(2"},
		{"hex md5 is text", tagBytes(nil, 1, []byte("0123456789abcdef0123456789abcdef")), "1", KindString, []Kind{KindString}, "0123456789abcdef0123456789abcdef"},
		{"nested string message", tagBytes(nil, 1, tagBytes(nil, 1, []byte("0123456789abcdef0123456789abcdef"))), "1", KindMessage, []Kind{KindMessage}, ""},
		{"device id nul-terminated", syn, "1.3", KindString, []Kind{KindString}, "A0123456789abcde\x00"},
		{"report line", syn, "4.2", KindReportLine, []Kind{KindString, KindReportLine}, ""},
		{"report value json with ;", syn, "4.2.$4", KindJSON, []Kind{KindString, KindJSON}, ""},
		{"json", syn, "7", KindJSON, []Kind{KindString, KindJSON}, ""},
		{"json member", syn, "7.page_path", KindString, []Kind{KindString}, "pages/index/index"},
		{"json number", syn, "7.staytime", KindNumber, []Kind{KindNumber}, "35"},
		{"query", syn, "9", KindQuery, []Kind{KindString, KindQuery}, ""},
		{"query value", syn, "9.ts", KindString, []Kind{KindString}, "1700000000000"},
		{"url", syn, "10.$url", KindString, []Kind{KindString}, "https://example.com/path"},
		{"url cjk param", syn, "10.q", KindString, []Kind{KindString, KindURLEncoded}, "你好"},
		{"base64 message", syn, "11", KindMessage, []Kind{KindString, KindBase64, KindMessage}, ""},
		{"zlib message", syn, "12", KindMessage, []Kind{KindBytes, KindZlib, KindMessage}, ""},
		{"zlib json inside", syn, "12.2.nested", KindString, []Kind{KindString}, "zlib json"},
		{"cjk text", syn, "13", KindString, []Kind{KindString}, "你好，世界 微信"},
		{"packed varints", syn, "14", KindPacked, []Kind{KindPacked}, ""},
		{"fixed32 float", syn, "15", KindFixed32, []Kind{KindFixed32}, ""},
		{"xml", syn, "17", KindXML, []Kind{KindString, KindXML}, ""},
		{"xml element", syn, "17.msg.appmsg.title", KindString, []Kind{KindString}, "标题"},
		{"double url-encoding", syn, "18", KindQuery, []Kind{KindString, KindURLEncoded, KindURLEncoded, KindQuery}, ""},
		{"opaque", syn, "19", KindOpaque, []Kind{KindOpaque}, ""},
		{"group", syn, "20", KindGroup, []Kind{KindGroup}, ""},
		{"zlib top level", zlibBytes(tagVarint(nil, 1, 5)), "1", KindVarint, []Kind{KindVarint}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Decode(tt.in, Options{})
			n := find(m, tt.path)
			if n == nil {
				var buf bytes.Buffer
				Format(&buf, m)
				t.Fatalf("no node at %s:\n%s", tt.path, buf.String())
			}
			if n.Kind != tt.kind || !slices.Equal(n.Chain, tt.chain) {
				t.Errorf("got %v %v, want %v %v", n.Kind, n.Chain, tt.kind, tt.chain)
			}
			if tt.text != "" && n.Text != tt.text {
				t.Errorf("got text %q, want %q", n.Text, tt.text)
			}
		})
	}
}

func TestFixedFloatAndHints(t *testing.T) {
	m := Decode(syntheticRequest(), Options{})
	if n := find(m, "15"); !n.HasFloat || n.Float != 1.5 {
		t.Errorf("fixed32: got %v %v, want float 1.5", n.HasFloat, n.Float)
	}
	if n := find(m, "16"); !slices.Contains(n.Hints, "unix_time") {
		t.Errorf("fixed64 hints %v, want unix_time", n.Hints)
	}
	z := Decode(tagVarint(nil, 1, 5), Options{}) // zigzag(5) = -3 only hinted for large values
	if n := find(z, "1"); n.zigzag() != -3 {
		t.Errorf("zigzag: got %d, want -3", n.zigzag())
	}
}

// goldenCases are synthetic payloads pinned by testdata/*.golden.
func goldenCases() map[string][]byte {
	return map[string][]byte{
		"synthetic_request": syntheticRequest(),
		"base_request":      tagBytes(nil, 1, syntheticBaseRequest()),
		"truncated":         syntheticRequest()[:57],
		"opaque":            dhex("27ed022d5738d090cd08e5a1ac0e5ad73e25c96bfe920f9cbc5eaf606653537cfbb8a73afb3a595e1e176298d99638a938060503cd49444a809a03eaabd110eb"),
		"empty_and_packed":  append(tagBytes(nil, 1, nil), tagBytes(nil, 2, dhex("01 02 03 ac02"))...),
	}
}

func TestGoldens(t *testing.T) {
	for name, in := range goldenCases() {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			fmt.Fprintf(&buf, "# Decode(Options{}) of %d bytes: %x\n", len(in), in)
			if err := Format(&buf, Decode(in, Options{})); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(string(want), buf.String()); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

// checkInvariants asserts the properties every Decode result must have.
func checkInvariants(t testing.TB, in []byte, opts Options, m *Tree) {
	t.Helper()
	if m == nil || m.Root == nil {
		t.Fatal("nil tree")
	}
	if m.Stopped < 0 || m.Stopped > len(in) {
		t.Fatalf("stopped %d outside [0,%d]", m.Stopped, len(in))
	}
	maxNodes := opts.MaxNodes
	if maxNodes == 0 {
		maxNodes = DefaultMaxNodes
	}
	maxInfl := opts.MaxInflated
	if maxInfl == 0 {
		maxInfl = DefaultMaxInflated
	}
	// XML and JSON containers count their nodes in batches, so allow a
	// little slack over MaxNodes but nothing proportional to the input.
	count := 0
	maxDepth := 0
	m.Walk(func(n *Node, d int) bool {
		count++
		maxDepth = max(maxDepth, d)
		if !n.Derived && (n.Span.Offset < 0 || n.Span.End() > len(in)) {
			t.Fatalf("node %q span %+v outside input of %d", n.Path, n.Span, len(in))
		}
		if (n.Kind == KindOpaque || n.Kind == KindBytes) && n.Reason == "" && len(n.Bytes) > 0 {
			t.Fatalf("node %q is %v without a reason", n.Path, n.Kind)
		}
		return true
	})
	if count > maxNodes+64 {
		t.Fatalf("%d nodes, budget %d", count, maxNodes)
	}
	if m.Inflated > maxInfl {
		t.Fatalf("inflated %d, budget %d", m.Inflated, maxInfl)
	}
	md := opts.MaxDepth
	if md == 0 {
		md = DefaultMaxDepth
	}
	if maxDepth > 3*md+8 {
		t.Fatalf("tree depth %d, budget %d", maxDepth, md)
	}
	if m.Root.Kind == KindMessage && len(m.Root.Chain) == 1 {
		if got := Encode(m, in); !bytes.Equal(got, in) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", got, in)
		}
	}
}

func TestStrictPrefixes(t *testing.T) {
	in := syntheticRequest()
	full := Decode(in, Options{})
	if full.Stopped != len(in) {
		t.Fatalf("full input stopped at %d of %d", full.Stopped, len(in))
	}
	for i := range len(in) {
		m := Decode(in[:i], Options{})
		checkInvariants(t, in[:i], Options{}, m)
	}
}

func TestDeepNesting(t *testing.T) {
	const depth = 10000
	// Messages: field 1 wrapping field 1 wrapping ….
	msg := tagVarint(nil, 1, 1)
	for range depth {
		msg = tagBytes(nil, 1, msg)
	}
	// Groups.
	var grp []byte
	for range depth {
		grp = protowire.AppendTag(grp, 1, protowire.StartGroupType)
	}
	for range depth {
		grp = protowire.AppendTag(grp, 1, protowire.EndGroupType)
	}
	js := tagBytes(nil, 1, []byte(strings.Repeat("[", depth)+strings.Repeat("]", depth)))
	jsObj := tagBytes(nil, 1, []byte(strings.Repeat(`{"a":`, 5000)+"1"+strings.Repeat("}", 5000)))
	var z []byte = tagVarint(nil, 1, 1)
	for range 200 {
		z = zlibBytes(z)
	}
	for name, in := range map[string][]byte{"messages": msg, "groups": grp, "json": js, "json objects": jsObj, "zlib": z} {
		t.Run(name, func(t *testing.T) {
			m := Decode(in, Options{})
			checkInvariants(t, in, Options{}, m)
			if name != "groups" && !slices.Contains(m.Budgets, budgetDepth) {
				t.Errorf("budgets %v, want depth", m.Budgets)
			}
		})
	}
}

func TestZlibBomb(t *testing.T) {
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	zero := make([]byte, 1<<20)
	for range 64 {
		w.Write(zero)
	}
	w.Close()
	bomb := buf.Bytes()
	in := tagBytes(tagBytes(nil, 1, bomb), 2, bomb)
	opts := Options{MaxInflated: 4 << 20}
	m := Decode(in, opts)
	checkInvariants(t, in, opts, m)
	if !slices.Contains(m.Budgets, budgetInflated) {
		t.Fatalf("budgets %v, want inflated", m.Budgets)
	}
	if n := find(m, "1"); n.Budget != budgetInflated || len(n.Alternatives) == 0 || n.Alternatives[0].Kind != KindZlib {
		t.Errorf("field 1: budget %q alternatives %v", n.Budget, n.Alternatives)
	}
}

func TestNodeBudget(t *testing.T) {
	var in []byte
	for i := range 5000 {
		in = tagVarint(in, 1, uint64(i))
	}
	opts := Options{MaxNodes: 100}
	m := Decode(in, opts)
	checkInvariants(t, in, opts, m)
	if !slices.Contains(m.Budgets, budgetNodes) {
		t.Fatalf("budgets %v, want nodes", m.Budgets)
	}
}

func TestLeaves(t *testing.T) {
	m := Decode(syntheticRequest(), Options{})
	var got []string
	for l := range m.Leaves() {
		if strings.HasPrefix(l.Path, "12") {
			got = append(got, fmt.Sprintf("%s %v %v derived=%v orig=%v", l.Path, l.Kind, l.Chain, l.Derived, l.Orig))
		}
	}
	want := []string{
		"12.1 varint [message bytes zlib message varint] derived=true orig={377 38}",
		"12.2.nested string [message bytes zlib message string json string] derived=true orig={377 38}",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

// TestReportLogs decodes every Citizen Lab request log: every non-empty
// payload must give a tree or be flagged opaque with a reason, within
// budgets, and re-encode to its input.
func TestReportLogs(t *testing.T) {
	dir := sharedDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "report-logs", "*.log.jsonl"))
	if len(files) == 0 {
		t.Fatal("no report logs")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			ps, _ := logPayloads(t, f)
			var opaque, message int
			for _, p := range ps {
				m := Decode(p, Options{})
				checkInvariants(t, p, Options{}, m)
				if len(m.Budgets) > 0 {
					t.Errorf("budget hit on a real payload: %v", m.Budgets)
				}
				switch {
				case m.Opaque():
					opaque++
					if m.Root.Reason == "" {
						t.Errorf("opaque payload without reason")
					}
				case m.Root.Kind == KindMessage:
					message++
				}
			}
			t.Logf("%d payloads: %d messages, %d opaque, %d other", len(ps), message, opaque, len(ps)-message-opaque)
		})
	}
}

// structure summarises a tree without values: one "path kind" line per
// node, so goldens over real payloads hold no personal data.
func structure(m *Tree) string {
	var b strings.Builder
	m.Walk(func(n *Node, d int) bool {
		fmt.Fprintf(&b, "%s %v\n", n.Path, n.Chain)
		return true
	})
	return b.String()
}

// TestReportLogStructures pins the structure of the first payload of each
// request type in the longest log, as hashes of value-free summaries.
func TestReportLogStructures(t *testing.T) {
	dir := sharedDir(t)
	ps, ids := logPayloads(t, filepath.Join(dir, "report-logs", "startup_data_1.log.jsonl"))
	first := map[int]string{}
	for i, p := range ps {
		if _, ok := first[ids[i]]; ok {
			continue
		}
		m := Decode(p, Options{})
		sum := sha256.Sum256([]byte(structure(m)))
		kind := m.Root.Kind.String()
		first[ids[i]] = fmt.Sprintf("%d %s nodes=%d structure=%x", ids[i], kind, m.Nodes, sum[:8])
	}
	var lines []string
	for _, l := range first {
		lines = append(lines, l)
	}
	sort.Slice(lines, func(i, j int) bool {
		var a, b int
		fmt.Sscan(lines[i], &a)
		fmt.Sscan(lines[j], &b)
		return a < b
	})
	got := "# first payload per request type of startup_data_1.log.jsonl: type root-kind node-count sha256(paths+chains)[:8]\n" + strings.Join(lines, "\n") + "\n"
	path := filepath.Join("testdata", "reportlogs_structure.golden")
	if *update {
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func FuzzDecode(f *testing.F) {
	for _, in := range goldenCases() {
		f.Add(in)
	}
	f.Add(dhex("0b 0b 0c 0c"))
	f.Add(dhex("0a 05 7b 22 61 22 3a"))
	f.Add(zlibBytes([]byte("hello")))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<16 {
			return
		}
		opts := Options{MaxNodes: 5000, MaxInflated: 1 << 20, MaxDepth: 32}
		m := Decode(in, opts)
		checkInvariants(t, in, opts, m)
		var buf bytes.Buffer
		Format(&buf, m)
	})
}

// TestJSONSpans checks that JSON values get the span of their own bytes
// where the JSON text holds them unchanged, and the enclosing span where it
// does not (escapes).
func TestJSONSpans(t *testing.T) {
	js := `{"page_path":"pages/a","n":12,"esc":"a\"b","o":{"k":true},"kv":"1,2,3"}`
	in := tagBytes(tagVarint(nil, 1, 7), 2, []byte(" "+js))
	m := Decode(in, Options{})
	str := find(m, "2")
	for _, tc := range []struct {
		path, bytes string
		exact       bool
	}{
		{"2.page_path", "pages/a", true},
		{"2.n", "12", true},
		{"2.o", `{"k":true}`, true},
		{"2.o.k", "true", true},
		{"2.kv.$1", "2", true},
		{"2.esc", "", false},
	} {
		n := find(m, tc.path)
		if n == nil {
			t.Fatalf("%s missing", tc.path)
		}
		got := string(in[n.Span.Offset:n.Span.End()])
		switch {
		case n.Derived:
			t.Errorf("%s: derived", tc.path)
		case tc.exact && got != tc.bytes:
			t.Errorf("%s: span %+v holds %q, want %q", tc.path, n.Span, got, tc.bytes)
		case !tc.exact && n.Span != str.Span:
			t.Errorf("%s: span %+v, want the string's %+v", tc.path, n.Span, str.Span)
		}
	}
	// Inside a transform, spans are relative to its output.
	z := tagBytes(nil, 1, zlibBytes(tagBytes(nil, 1, []byte(js))))
	m = Decode(z, Options{})
	if n := find(m, "1.1.n"); n == nil || !n.Derived || n.Span.Length != 2 {
		t.Errorf("zlib: 1.1.n = %+v, want a derived span of 2 bytes", n)
	}
}
