package decode

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/schemaless"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sharedDir returns the Citizen Lab fixture folder (see internal/fixtures).
func sharedDir(t testing.TB) string {
	t.Helper()
	return fixtures.Dir(t)
}

// synthetic builds a request with an invented BaseRequest and a kv report.
func synthetic() []byte {
	var br []byte
	br = protowire.AppendBytes(protowire.AppendTag(br, 1, protowire.BytesType), []byte{0})
	br = protowire.AppendVarint(protowire.AppendTag(br, 2, protowire.VarintType), 123456789)
	br = protowire.AppendBytes(protowire.AppendTag(br, 3, protowire.BytesType), []byte("A0123456789abcde\x00"))
	br = protowire.AppendVarint(protowire.AppendTag(br, 4, protowire.VarintType), 0x28001737)
	br = protowire.AppendBytes(protowire.AppendTag(br, 5, protowire.BytesType), []byte("android-34"))
	b := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), br)
	b = protowire.AppendBytes(protowire.AppendTag(b, 2, protowire.BytesType), []byte(`{"page_path":"pages/a","staytime":3,"title":"你好"}`))
	return b
}

func envelope(uri, host string) []byte {
	var b []byte
	b = binary.BigEndian.AppendUint32(b, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(len(uri)))
	b = append(b, uri...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(host)))
	b = append(b, host...)
	return binary.BigEndian.AppendUint32(b, 99)
}

func TestReaderFormats(t *testing.T) {
	h := hex.EncodeToString(synthetic())
	in := strings.Join([]string{
		`{"data": "` + h + `", "req_id": 1009, "req_type": "/cgi-bin/mmbiz-bin/wxausrevent/wxaappidkeybatchreport"}`,
		`{"data": "", "req_id": 825, "req_type": null}`,
		``,
		`{"metadata": "` + hex.EncodeToString(envelope("/cgi-bin/micromsg-bin/newsync", "sgshort.wechat.com")) + `", "plaintext": "0801"}`,
		`{"link":"shortlink","direction":"request","uri":"/cgi-bin/micromsg-bin/secautoauth","req_type":763,"payload":"0801"}`,
		`not json`,
		`{"other": 1}`,
		`{"data": "zz"}`,
	}, "\n")
	r := NewReader(strings.NewReader(in), "t.jsonl")
	type got struct {
		f    inputFormat
		p    payload.Payload
		perr bool
	}
	var gots []got
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			gots = append(gots, got{perr: true})
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		p.Payload = nil
		gots = append(gots, got{f: r.last, p: p})
	}
	want := []got{
		{f: formatLog, p: payload.Payload{Link: "log", Direction: "request", ReqType: 1009, URI: "/cgi-bin/mmbiz-bin/wxausrevent/wxaappidkeybatchreport", Source: "t.jsonl", Line: 1}},
		{f: formatLog, p: payload.Payload{Link: "log", Direction: "request", ReqType: 825, Source: "t.jsonl", Line: 2}},
		{f: formatKeylog, p: payload.Payload{Link: "shortlink", Direction: "request", URI: "/cgi-bin/micromsg-bin/newsync", Host: "sgshort.wechat.com", Source: "t.jsonl", Line: 4}},
		{f: formatPayload, p: payload.Payload{Link: "shortlink", Direction: "request", URI: "/cgi-bin/micromsg-bin/secautoauth", ReqType: 763}},
		{perr: true}, {perr: true}, {perr: true},
	}
	if d := cmp.Diff(want, gots, cmp.AllowUnexported(got{})); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func TestShortlinkEnvelopeTruncated(t *testing.T) {
	env := envelope("/cgi-bin/x", "h")
	for i := range len(env) {
		u, _ := shortlinkEnvelope(env[:i])
		if u != "" && i < 16 {
			t.Errorf("prefix %d: got uri %q", i, u)
		}
	}
}

func TestOutputGoldens(t *testing.T) {
	p := payload.Payload{Link: "log", Direction: "request", ReqType: 1009, URI: "/cgi-bin/mmbiz-bin/wxausrevent/wxaappidkeybatchreport", Source: "synthetic.jsonl", Line: 1, Payload: synthetic()}
	rec := NewDecoder(Options{}).Decode(p)
	for _, tc := range []struct {
		name  string
		write func(io.Writer, *Record) error
	}{{"synthetic.jsonl.golden", func(w io.Writer, r *Record) error { return writeJSON(w, r, new([]byte)) }}, {"synthetic.txt.golden", writeText}} {
		var buf bytes.Buffer
		buf.WriteString("# decode.Options{} of a synthetic wxaappidkeybatchreport request\n")
		if err := tc.write(&buf, &rec); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", tc.name)
		if *update {
			os.WriteFile(path, buf.Bytes(), 0o644)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(string(want), buf.String()); d != "" {
			t.Errorf("%s (-want +got)\n%s", tc.name, d)
		}
	}
}

func TestSchemaRoundTrip(t *testing.T) {
	d := NewDecoder(Options{})
	l := newSchemaLearner()
	for i := range 3 {
		p := payload.Payload{Link: "log", Direction: "request", ReqType: 1009, URI: "/cgi-bin/x/thing", Payload: append(synthetic(), byte(3<<3), byte(i))}
		rec := d.Decode(p)
		l.add(&rec)
	}
	var buf bytes.Buffer
	if err := l.writeProto(&buf); err != nil {
		t.Fatal(err)
	}
	proto := buf.String()
	for _, w := range []string{"// wxaudit:endpoint /cgi-bin/x/thing", "message ThingRequest {", "uint64 uin = 2;", "string device_type = 5;", "range [0, 2]"} {
		if !strings.Contains(proto, w) {
			t.Errorf("proto lacks %q:\n%s", w, proto)
		}
	}
	// Rename a field in the learned schema and read it back.
	proto = strings.Replace(proto, "uint64 f3 = 3;", "uint64 counter = 3;", 1)
	s, err := parseProto(strings.NewReader(proto))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Names["/cgi-bin/x/thing"]["3"]; got != "counter" {
		t.Errorf("schema name for 3 = %q, want counter; names %v", got, s.Names)
	}
	d2 := NewDecoder(Options{Schema: s})
	rec := d2.Decode(payload.Payload{URI: "/cgi-bin/x/thing", Payload: append(synthetic(), byte(3<<3), 7)})
	found := false
	rec.Tree.Walk(func(n *schemaless.Node, _ int) bool {
		found = found || n.Path == "3" && n.Name == "counter"
		return true
	})
	if !found {
		t.Error("schema name not applied")
	}
	if _, err := parseProto(strings.NewReader("}\n")); err == nil {
		t.Error("unbalanced proto accepted")
	}
}

func hashOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// Hashes of the published test account's uin and device id, so this file
// holds no real identifier.
const (
	uinHash      = "ebf4799b89efc168"
	deviceIDHash = "b5f3fa5bfd1fc120"
)

// TestReportLogs checks the acceptance criteria on every published
// request log: payloads decode or are opaque with a reason, BaseRequest
// fields appear by name, JSON and kv report values are split, Chinese text
// is text.
func TestReportLogs(t *testing.T) {
	dir := sharedDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "report-logs", "*.log.jsonl"))
	if len(files) == 0 {
		t.Fatal("no report logs")
	}
	var cjk, pagePath, staytime, kvParts int
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		d := NewDecoder(Options{})
		r := NewReader(fh, filepath.Base(f))
		var n, empty, opaque, named int
		uins, devs := map[string]bool{}, map[string]bool{}
		for {
			p, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			rec := d.Decode(p)
			switch {
			case rec.Empty:
				empty++
				continue
			case rec.Opaque:
				opaque++
				if rec.Reason == "" {
					t.Errorf("%s:%d opaque without reason", f, p.Line)
				}
				continue
			case rec.Tree == nil || rec.Tree.Root.Kind != schemaless.KindMessage:
				t.Errorf("%s:%d: neither a tree nor opaque", f, p.Line)
			}
			rec.Tree.Walk(func(nd *schemaless.Node, _ int) bool {
				switch nd.Name {
				case "base_request.uin":
					named++
					uins[hashOf(fmt.Sprint(nd.Uint))] = true
				case "base_request.device_id":
					devs[hashOf(strings.TrimRight(nd.Text, "\x00"))] = true
				}
				if nd.Key == "page_path" {
					pagePath++
				}
				if nd.Key == "staytime" {
					staytime++
				}
				if nd.Kind == schemaless.KindReportLine && strings.Contains(rec.Endpoint, "kv") {
					kvParts += len(nd.Children)
				}
				if nd.Kind == schemaless.KindString && strings.IndexFunc(nd.Text, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
					cjk++
				}
				return true
			})
		}
		fh.Close()
		if !uins[uinHash] || !devs[deviceIDHash] {
			t.Errorf("%s: BaseRequest uin/device id not found by name (uin hashes %v, device hashes %v)", f, uins, devs)
		}
		t.Logf("%s: %d payloads, %d empty, %d decoded, %d opaque, %d named BaseRequests", filepath.Base(f), n, empty, n-empty-opaque, opaque, named)
	}
	t.Logf("page_path %d, staytime %d, kv report values %d, strings with Chinese %d", pagePath, staytime, kvParts, cjk)
	if pagePath == 0 || staytime == 0 || kvParts == 0 {
		t.Errorf("page_path %d, staytime %d, kv parts %d: want all > 0", pagePath, staytime, kvParts)
	}
}

// TestLearnExamples checks that learned schemas withhold values unless
// asked: payloads hold personal data.
func TestLearnExamples(t *testing.T) {
	d := NewDecoder(Options{})
	rec := d.Decode(payload.Payload{URI: "/cgi-bin/x/thing", Payload: synthetic()})
	tests := []struct {
		mode      Examples
		want, not []string
	}{
		{ExamplesNone, []string{"range withheld", "example values are withheld"}, []string{"e.g.", "123456789", "android-34"}},
		{ExamplesHash, []string{"e.g. sha256:", "range withheld"}, []string{"123456789", "android-34"}},
		{ExamplesRaw, []string{`e.g. "android-34"`, "range [123456789, 123456789]"}, []string{"withheld", "sha256:"}},
	}
	for _, tc := range tests {
		l := newSchemaLearner()
		l.Examples = tc.mode
		l.add(&rec)
		var buf bytes.Buffer
		if err := l.writeProto(&buf); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("mode %d: lacks %q:\n%s", tc.mode, w, buf.String())
			}
		}
		for _, w := range tc.not {
			if strings.Contains(buf.String(), w) {
				t.Errorf("mode %d: shows %q:\n%s", tc.mode, w, buf.String())
			}
		}
	}
	for _, s := range []string{"none", "hash", "raw", "x"} {
		if _, err := ParseExamples(s); (err != nil) != (s == "x") {
			t.Errorf("ParseExamples(%q) = %v", s, err)
		}
	}
}
