package serve

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/decode"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/schemaless"
)

// maxHexBytes bounds the raw hex shown on a request page; the decoded
// tree covers the whole payload.
const maxHexBytes = 64 << 10

// maxValueLen bounds one value shown in the tree.
const maxValueLen = 2000

// decodeRequest re-decodes a request's payload with catalog field names,
// the same decoding analyze classified, so finding paths name tree nodes.
func decodeRequest(dec *decode.Decoder, q *Request, p []byte) decode.Record {
	return dec.Decode(decodeInput(q.URI, q.ReqType, p))
}

func decodeInput(uri string, reqType int, p []byte) payload.Payload {
	return payload.Payload{URI: uri, ReqType: reqType, Payload: p}
}

// treeNode is one node of the request view's tree.
type treeNode struct {
	Path     string      `json:"path"`
	Name     string      `json:"name,omitempty"`
	Kind     string      `json:"kind"`
	Chain    string      `json:"chain,omitempty"`
	Value    string      `json:"value,omitempty"`
	Span     [2]int      `json:"span"` // offset and length in the payload
	Findings []string    `json:"findings,omitempty"`
	Types    []string    `json:"data_types,omitempty"`
	Redacted bool        `json:"redacted,omitempty"`
	Note     string      `json:"note,omitempty"` // reason or budget
	Children []*treeNode `json:"children,omitempty"`
}

// Anchor is the node's element id.
func (n *treeNode) Anchor() string { return "n-" + anchorSafe(n.Path) }

// Label is what the tree shows before the value.
func (n *treeNode) Label() string {
	p := n.Path
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		p = p[i+1:]
	}
	if p == "" {
		p = "payload"
	}
	if n.Name != "" {
		return p + " " + n.Name
	}
	return p
}

// hexRun is a run of payload bytes with one class: plain, part of a
// finding ("hit") or hidden ("hidden").
type hexRun struct {
	Class string
	Text  string
}

// hexLine is one 16-byte line of the hex view.
type hexLine struct {
	Offset string
	Runs   []hexRun
}

// payloadView is the decoded payload as the request page shows it.
type payloadView struct {
	Root      *treeNode
	Hex       []hexLine
	HexCut    int // bytes not shown
	Size      int
	Opaque    string
	Unmatched []string // findings whose field path names no node
}

// buildPayloadView decodes p and marks the nodes the findings point at.
// Identifying values are replaced by pseudonyms, and the bytes of a hidden
// finding's field are masked.
func buildPayloadView(dec *decode.Decoder, q *Request, p []byte, fs []report.Finding, red *redactor) *payloadView {
	v := &payloadView{Size: len(p)}
	rec := decodeRequest(dec, q, p)
	if rec.Tree == nil {
		return v
	}
	if rec.Opaque {
		v.Opaque = rec.Reason
	}
	byPath := map[string][]*report.Finding{}
	for i := range fs {
		path, _, _ := strings.Cut(fs[i].Evidence.FieldPath, "+")
		byPath[path] = append(byPath[path], &fs[i])
	}
	mark := make([]byte, min(len(p), maxHexBytes)) // 0 plain, 1 hit, 2 hidden
	matched := map[string]bool{}
	var build func(n *schemaless.Node, outer *schemaless.Span) *treeNode
	build = func(n *schemaless.Node, outer *schemaless.Span) *treeNode {
		span := n.Span
		if n.Derived && outer != nil {
			span = *outer
		}
		t := &treeNode{Path: n.Path, Name: n.Name, Kind: n.Kind.String(), Span: [2]int{span.Offset, span.Length},
			Note: firstNonEmpty(n.Reason, n.Budget)}
		if len(n.Chain) > 1 {
			var cs []string
			for _, k := range n.Chain {
				cs = append(cs, k.String())
			}
			t.Chain = strings.Join(cs, " → ")
		}
		var hidden *report.Finding
		for _, f := range byPath[n.Path] {
			matched[f.ID] = true
			t.Findings = append(t.Findings, f.ID)
			if !has(t.Types, f.DataType) {
				t.Types = append(t.Types, f.DataType)
			}
			if hidden == nil && red.hides(f) {
				hidden = f
			}
		}
		raw := ""
		if len(n.Children) == 0 {
			raw = nodeValue(n)
		} else if isTextual(n.Kind) {
			raw = n.Text // the text as sent, above its parts
		}
		inner := outer
		if outer == nil && !n.Derived && isTransform(n.Kind) {
			s := n.Span
			inner = &s
		}
		for _, c := range n.Children {
			ct := build(c, inner)
			if hidden != nil {
				markHidden(ct)
			}
			t.Children = append(t.Children, ct)
		}
		// The redactor knows every identifying value of the report, so it
		// hides them inside containers and unflagged fields too.
		t.Value = visible(clip(red.text(raw), maxValueLen))
		if hidden != nil && raw != "" && t.Value == clip(raw, maxValueLen) {
			// Shown in another form than the finding's value (a number,
			// a float reading): hide it whole.
			t.Value = visible(red.rd.Value(hidden))
		}
		t.Redacted = hidden != nil
		switch {
		case hidden != nil:
			paint(mark, span, 2)
		case len(t.Findings) > 0:
			paint(mark, span, 1)
		}
		return t
	}
	v.Root = build(rec.Tree.Root, nil)
	for _, f := range fs {
		if !matched[f.ID] {
			v.Unmatched = append(v.Unmatched, f.ID)
		}
	}
	v.Hex, v.HexCut = hexLines(p, mark)
	return v
}

// markHidden marks the nodes below a hidden node.
func markHidden(t *treeNode) {
	t.Redacted = true
	for _, c := range t.Children {
		markHidden(c)
	}
}

func isTextual(k schemaless.Kind) bool {
	return k == schemaless.KindJSON || k == schemaless.KindXML || k == schemaless.KindQuery ||
		k == schemaless.KindReportLine || k == schemaless.KindURLEncoded
}

func isTransform(k schemaless.Kind) bool {
	return k == schemaless.KindZlib || k == schemaless.KindBase64 || k == schemaless.KindURLEncoded
}

// paint marks span in mark with class c; hidden wins over hit.
func paint(mark []byte, s schemaless.Span, c byte) {
	end := min(s.Offset+s.Length, len(mark))
	for i := max(s.Offset, 0); i < end; i++ {
		if mark[i] < c {
			mark[i] = c
		}
	}
}

// hexLines renders the first maxHexBytes of p as lines of 16 bytes,
// grouped into runs by mark; hidden bytes print as "··".
func hexLines(p, mark []byte) ([]hexLine, int) {
	n := len(mark)
	var lines []hexLine
	classes := [...]string{"", "hit", "hidden"}
	for off := 0; off < n; off += 16 {
		ln := hexLine{Offset: leftPad(strconv.FormatInt(int64(off), 16), 6)}
		end := min(off+16, n)
		var b strings.Builder
		cur := mark[off]
		flush := func() {
			if b.Len() > 0 {
				ln.Runs = append(ln.Runs, hexRun{Class: classes[cur], Text: b.String()})
				b.Reset()
			}
		}
		for i := off; i < end; i++ {
			if mark[i] != cur {
				flush()
				cur = mark[i]
			}
			if i > off {
				b.WriteByte(' ')
			}
			if cur == 2 {
				b.WriteString("··")
			} else {
				b.WriteString(hex.EncodeToString(p[i : i+1]))
			}
		}
		flush()
		lines = append(lines, ln)
	}
	return lines, len(p) - n
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// nodeValue is a leaf's value as text, bounded.
func nodeValue(n *schemaless.Node) string {
	var s string
	switch n.Kind {
	case schemaless.KindVarint, schemaless.KindFixed32, schemaless.KindFixed64:
		s = strconv.FormatUint(n.Uint, 10)
		if n.HasFloat {
			s += " (" + strconv.FormatFloat(n.Float, 'g', -1, 64) + ")"
		}
	case schemaless.KindBool:
		s = strconv.FormatBool(n.Uint != 0)
	case schemaless.KindBytes, schemaless.KindOpaque:
		b := n.Bytes
		if len(b) > maxValueLen/2 {
			b = b[:maxValueLen/2]
		}
		s = hex.EncodeToString(b)
		if len(b) < len(n.Bytes) {
			s += "…"
		}
		return s
	default:
		s = n.Text
	}
	if len(s) > maxValueLen {
		s = strings.ToValidUTF8(s[:maxValueLen], "") + "…"
	}
	return s
}

// visible shows control characters and the invisible Unicode controls
// (bidirectional overrides and isolates, zero-width marks) as visible
// symbols, so a hostile value cannot reorder or hide what the page shows.
func visible(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r < 0x20:
			return 0x2400 + r // ␀ … ␟
		case r == 0x7f:
			return 0x2421 // ␡
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c,
			r >= 0x200b && r <= 0x200d, r == 0xfeff:
			return 0xfffd
		}
		return r
	}, s)
}

// anchorSafe turns a field path into an id fragment (paths hold digits,
// dots, $ and JSON keys).
func anchorSafe(p string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, p)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
