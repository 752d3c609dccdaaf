// This file learns per-endpoint schemas from decoded payloads and exports
// and imports them as .proto files.

package decode

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/wxaudit/wxaudit/internal/lazyre"
	"github.com/wxaudit/wxaudit/schemaless"
)

// schemaLearner bounds: beyond them new endpoints/paths are counted but not kept.
const (
	maxLearnEndpoints = 1024
	maxLearnPaths     = 4096
	maxExamples       = 3
	maxExampleLen     = 40
)

// pathStats aggregates one field path of one endpoint.
type pathStats struct {
	field    int32
	count    int
	kinds    map[schemaless.Kind]int
	repeated bool
	floats   bool
	negative bool
	min, max uint64
	name     string
	examples []string
}

// Examples says what a learned schema shows of the values it saw. Decrypted
// payloads hold personal data (uin, device id, phone numbers, locations), so
// the default shows none.
type Examples int

const (
	// ExamplesNone shows no example values, and value ranges only when
	// they fit in 16 bits (enumerations, counters, flags): larger ones
	// can be identifiers.
	ExamplesNone Examples = iota
	// ExamplesHash shows each example as the first 8 hex digits of its
	// sha256, so equal values can be matched across schemas. This is
	// pseudonymisation, not anonymisation: small value spaces (a uin, a
	// phone number) are easily searched. Ranges as with ExamplesNone.
	ExamplesHash
	// ExamplesRaw shows examples (truncated) and every range.
	ExamplesRaw
)

// ParseExamples reads the --examples flag value: none, hash or raw.
func ParseExamples(s string) (Examples, error) {
	switch s {
	case "none", "":
		return ExamplesNone, nil
	case "hash":
		return ExamplesHash, nil
	case "raw":
		return ExamplesRaw, nil
	}
	return 0, fmt.Errorf("decode: unknown examples mode %q (want none, hash or raw)", s)
}

// schemaLearner aggregates field shapes per endpoint. Memory is bounded by the
// learner limits, independent of the number of payloads.
type schemaLearner struct {
	// Examples selects what writeProto shows of the values seen; the zero
	// value shows none. Set it before the first Add.
	Examples Examples

	eps     map[string]map[string]*pathStats
	samples map[string]int
	dropped int
}

// maxPublicRange is the largest value a redacted schema shows in a range.
const maxPublicRange = 1<<16 - 1

// newSchemaLearner returns an empty schemaLearner.
func newSchemaLearner() *schemaLearner {
	return &schemaLearner{eps: map[string]map[string]*pathStats{}, samples: map[string]int{}}
}

// Add aggregates one decoded record.
func (l *schemaLearner) add(r *Record) {
	if r.Tree == nil {
		return
	}
	ep := r.Endpoint
	if ep == "" {
		ep = "type:" + strconv.Itoa(r.Input.ReqType)
	}
	m := l.eps[ep]
	if m == nil {
		if len(l.eps) >= maxLearnEndpoints {
			l.dropped++
			return
		}
		m = map[string]*pathStats{}
		l.eps[ep] = m
	}
	l.samples[ep]++
	r.Tree.Walk(func(n *schemaless.Node, _ int) bool {
		// Only protobuf fields make up a .proto; text encodings below
		// them are summarised by the field's kind.
		if n.Field == 0 || n.Wire == schemaless.WireNone {
			return n.Path == ""
		}
		s := m[n.Path]
		if s == nil {
			if len(m) >= maxLearnPaths {
				l.dropped++
				return false
			}
			s = &pathStats{field: n.Field, kinds: map[schemaless.Kind]int{}, min: ^uint64(0)}
			m[n.Path] = s
		}
		s.count++
		s.kinds[n.Kind]++
		if n.Index > 0 {
			s.repeated = true
		}
		if n.Name != "" {
			s.name = n.Name
		}
		switch n.Kind {
		case schemaless.KindVarint, schemaless.KindFixed32, schemaless.KindFixed64:
			s.min, s.max = min(s.min, n.Uint), max(s.max, n.Uint)
			if n.HasFloat && n.Uint != 0 {
				s.floats = true
			}
			if int64(n.Uint) < 0 {
				s.negative = true
			}
		}
		if len(n.Children) == 0 && len(s.examples) < maxExamples && l.Examples != ExamplesNone {
			ex := exampleOf(n, l.Examples)
			if ex != "" && !contains(s.examples, ex) {
				s.examples = append(s.examples, ex)
			}
		}
		return n.Kind == schemaless.KindMessage || n.Kind == schemaless.KindGroup
	})
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func exampleOf(n *schemaless.Node, mode Examples) string {
	if mode == ExamplesHash {
		var v []byte
		switch n.Kind {
		case schemaless.KindBytes, schemaless.KindOpaque:
			v = n.Bytes
		case schemaless.KindString:
			v = []byte(n.Text)
		default:
			v = []byte(fieldText(n))
		}
		sum := sha256.Sum256(v)
		return "sha256:" + hex.EncodeToString(sum[:4])
	}
	var s string
	switch n.Kind {
	case schemaless.KindString:
		s = strconv.Quote(n.Text)
	case schemaless.KindBytes, schemaless.KindOpaque:
		s = fmt.Sprintf("%d bytes", len(n.Bytes))
	default:
		s = fieldText(n)
	}
	if len(s) > maxExampleLen {
		s = s[:maxExampleLen] + "…"
	}
	// Comments must stay on one line.
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

func fieldText(n *schemaless.Node) string {
	v, _ := appendValue(nil, n)
	return string(v)
}

// dominant returns the most frequent kind.
func (s *pathStats) dominant() schemaless.Kind {
	best, bc := schemaless.KindUnknown, -1
	for k, c := range s.kinds {
		if c > bc || c == bc && k < best {
			best, bc = k, c
		}
	}
	return best
}

var examplesNote = map[Examples]string{
	ExamplesNone: "example values are withheld and ranges shown\n// only up to 16 bits (--examples hash|raw to show them).",
	ExamplesHash: "examples are sha256 prefixes of the values\n// (pseudonyms: small value spaces can be searched); ranges shown only up to 16 bits.",
	ExamplesRaw:  "examples are truncated values as seen,\n// which can be personal data.",
}

// writeProto writes one proto3 message per endpoint, nested messages per
// message-valued path, with comments giving counts, kinds, ranges and
// examples. Each top-level message is tagged "// wxaudit:endpoint PATH" so
// parseProto can map it back.
func (l *schemaLearner) writeProto(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "// Schemas learned by wxaudit decode --schema learn. Field names come from\n// the catalog where known; %s\nsyntax = \"proto3\";\n\npackage wxaudit.learned;\n", examplesNote[l.Examples])
	eps := make([]string, 0, len(l.eps))
	for ep := range l.eps {
		eps = append(eps, ep)
	}
	sort.Strings(eps)
	used := map[string]bool{}
	for _, ep := range eps {
		name := uniqueName(messageName(ep), used)
		fmt.Fprintf(bw, "\n// wxaudit:endpoint %s\n// %d samples\n", ep, l.samples[ep])
		l.writeMessage(bw, l.eps[ep], "", name, 0)
	}
	if l.dropped > 0 {
		fmt.Fprintf(bw, "\n// %d fields or endpoints beyond the learner's limits were not recorded\n", l.dropped)
	}
	return bw.Flush()
}

func (l *schemaLearner) writeMessage(w *bufio.Writer, m map[string]*pathStats, prefix, name string, depth int) {
	ind := strings.Repeat("  ", depth)
	fmt.Fprintf(w, "%smessage %s {\n", ind, name)
	var kids []string
	for p := range m {
		parent := ""
		if i := strings.LastIndexByte(p, '.'); i >= 0 {
			parent = p[:i]
		}
		if parent == prefix && !strings.Contains(p[len(prefix):], "$") {
			kids = append(kids, p)
		}
	}
	sort.Slice(kids, func(i, j int) bool { return m[kids[i]].field < m[kids[j]].field })
	used := map[string]bool{}
	for _, p := range kids {
		s := m[p]
		k := s.dominant()
		fname := uniqueName(fieldName(s), used)
		typ := protoType(s, k)
		if k == schemaless.KindMessage || k == schemaless.KindGroup {
			typ = "M" + strings.ReplaceAll(p, ".", "_")
			l.writeMessage(w, m, p, typ, depth+1)
		}
		rep := ""
		if s.repeated || k == schemaless.KindPacked {
			rep = "repeated "
		}
		fmt.Fprintf(w, "%s  %s%s %s = %d; // %s\n", ind, rep, typ, fname, s.field, s.comment(l.Examples))
	}
	fmt.Fprintf(w, "%s}\n", ind)
}

func (s *pathStats) comment(mode Examples) string {
	var kinds []string
	for k, c := range s.kinds {
		kinds = append(kinds, fmt.Sprintf("%s×%d", k, c))
	}
	sort.Strings(kinds)
	c := fmt.Sprintf("seen %d; %s", s.count, strings.Join(kinds, " "))
	switch {
	case s.min == ^uint64(0):
	case mode == ExamplesRaw || s.max <= maxPublicRange:
		c += fmt.Sprintf("; range [%d, %d]", s.min, s.max)
	default:
		c += "; range withheld (values above 16 bits)"
	}
	if len(s.examples) > 0 {
		c += "; e.g. " + strings.Join(s.examples, ", ")
	}
	return c
}

func protoType(s *pathStats, k schemaless.Kind) string {
	switch k {
	case schemaless.KindVarint, schemaless.KindPacked:
		if s.negative {
			return "int64"
		}
		return "uint64"
	case schemaless.KindFixed32:
		if s.floats {
			return "float"
		}
		return "fixed32"
	case schemaless.KindFixed64:
		if s.floats {
			return "double"
		}
		return "fixed64"
	case schemaless.KindBytes, schemaless.KindOpaque:
		return "bytes"
	}
	return "string"
}

func fieldName(s *pathStats) string {
	if s.name != "" {
		n := s.name
		if i := strings.LastIndexByte(n, '.'); i >= 0 {
			n = n[i+1:]
		}
		if ident(n) {
			return n
		}
	}
	return "f" + strconv.Itoa(int(s.field))
}

func ident(s string) bool {
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) && r < 128 || i > 0 && unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}

// messageName derives a message name from an API path: newsync → Newsync.
func messageName(ep string) string {
	seg := ep
	if i := strings.LastIndexByte(seg, '/'); i >= 0 {
		seg = seg[i+1:]
	}
	var b strings.Builder
	up := true
	for _, r := range seg {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if up {
				r = unicode.ToUpper(r)
				up = false
			}
			b.WriteRune(r)
		default:
			up = true
		}
	}
	n := b.String()
	if n == "" || unicode.IsDigit(rune(n[0])) {
		n = "E" + n
	}
	return n + "Request"
}

func uniqueName(n string, used map[string]bool) string {
	out := n
	for i := 2; used[out]; i++ {
		out = n + strconv.Itoa(i)
	}
	used[out] = true
	return out
}

var (
	reEndpoint = lazyre.New(`^//\s*wxaudit:endpoint\s+(\S+)`)
	reMessage  = lazyre.New(`^message\s+(\w+)\s*\{`)
	reField    = lazyre.New(`^(?:repeated\s+|optional\s+)?([\w.]+)\s+(\w+)\s*=\s*(\d+)`)
)

type protoMsg struct {
	endpoint string
	fields   []protoField
}

type protoField struct {
	typ, name string
	num       int
}

// parseProto reads field names from a .proto file: top-level messages
// tagged "// wxaudit:endpoint PATH" (as writeProto writes them; "*" applies
// to every endpoint), their fields and the messages their fields refer to.
// Only the subset of the language needed for names is understood: message
// blocks and scalar or message fields, one per line.
func parseProto(r io.Reader) (*Schema, error) {
	sc := bufio.NewScanner(io.LimitReader(r, 16<<20))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	msgs := map[string]*protoMsg{}
	var stack []*protoMsg
	var roots []string
	pending := ""
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if m := reEndpoint.FindStringSubmatch(t); m != nil {
			pending = m[1]
			continue
		}
		if i := strings.Index(t, "//"); i >= 0 {
			t = strings.TrimSpace(t[:i])
		}
		switch {
		case t == "":
		case reMessage.MatchString(t):
			name := reMessage.FindStringSubmatch(t)[1]
			pm := &protoMsg{}
			if len(stack) == 0 {
				pm.endpoint = pending
				roots = append(roots, name)
			}
			pending = ""
			msgs[name] = pm
			stack = append(stack, pm)
			if strings.HasSuffix(t, "}") {
				stack = stack[:len(stack)-1]
			}
		case t == "}":
			if len(stack) == 0 {
				return nil, fmt.Errorf("decode: proto line %d: unbalanced '}'", line)
			}
			stack = stack[:len(stack)-1]
		case len(stack) > 0 && reField.MatchString(t):
			f := reField.FindStringSubmatch(t)
			n, err := strconv.Atoi(f[3])
			if err != nil || n < 1 || n > 1<<29-1 {
				return nil, fmt.Errorf("decode: proto line %d: bad field number %q", line, f[3])
			}
			top := stack[len(stack)-1]
			top.fields = append(top.fields, protoField{typ: f[1], name: f[2], num: n})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("decode: proto: %w", err)
	}
	s := &Schema{Names: map[string]map[string]string{}}
	for _, name := range roots {
		pm := msgs[name]
		if pm.endpoint == "" {
			continue
		}
		names := s.Names[pm.endpoint]
		if names == nil {
			names = map[string]string{}
			s.Names[pm.endpoint] = names
		}
		addNames(names, msgs, pm, "", "", 0)
	}
	return s, nil
}

func addNames(names map[string]string, msgs map[string]*protoMsg, pm *protoMsg, prefix, qual string, depth int) {
	if depth > schemaless.DefaultMaxDepth {
		return
	}
	for _, f := range pm.fields {
		p := strconv.Itoa(f.num)
		if prefix != "" {
			p = prefix + "." + p
		}
		// Generated placeholder names carry no knowledge: skip them in
		// qualified names too.
		q := qual
		if !isPlaceholder(f.name, f.num) {
			q = f.name
			if qual != "" {
				q = qual + "." + f.name
			}
			names[p] = q
		}
		if sub, ok := msgs[f.typ]; ok && sub != pm {
			addNames(names, msgs, sub, p, q, depth+1)
		}
	}
}

func isPlaceholder(name string, num int) bool {
	return name == "f"+strconv.Itoa(num)
}
