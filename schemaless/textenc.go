// This file interprets text found in payloads: JSON, XML, URLs and query
// strings, percent-encoding, base64 and the comma-separated kv report lines
// of newreportkvcomm and rtkvreport. See PROTOCOL.md, section 6.

package schemaless

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxTextDecodes bounds repeated percent-decoding and base64 rounds of one
// string, independently of MaxDepth.
const maxTextDecodes = 4

// interpretText fills n with the best reading of the text s. chain ends with
// the step that produced s (string, urlencoded, base64, …). Values inside
// the text get the span of n (their positions in s are not tracked) except
// report-line and query parts, whose spans are exact when s is not derived.
func (d *decoder) interpretText(n *Node, s string, base, depth int, derived bool, chain []Kind) {
	n.Text = s
	n.Kind = KindString
	n.Chain = chain
	if n.Confidence == 0 {
		n.Confidence = 0.9
	}
	if d.opts.NoNested || len(s) < 2 {
		return
	}
	if depth > d.opts.MaxDepth {
		d.hit(n, BudgetDepth)
		return
	}
	if d.work > d.opts.MaxWork {
		d.hit(n, BudgetWork)
		return
	}
	d.work += len(s)
	t := strings.TrimSpace(s)
	if t == "" {
		return
	}
	switch t[0] {
	case '{', '[':
		if json.Valid([]byte(t)) {
			d.fillJSON(n, t, depth, chain, false)
			return
		}
		// kv report values escape the CSV separator: {"a":1;"b":2}.
		if alt, ok := semicolonJSON(t); ok {
			d.fillJSON(n, alt, depth, chain, true)
			return
		}
	case '<':
		if d.fillXML(n, t, depth, chain) {
			return
		}
	}
	if u, ok := splitURL(s); ok {
		d.fillQuery(n, s, u.query, u.qoff, base, depth, derived, chain, u.base)
		return
	}
	if isQuery(s) {
		d.fillQuery(n, s, s, 0, base, depth, derived, chain, "")
		return
	}
	if isReportLine(s) {
		d.fillReportLine(n, s, base, depth, derived, chain)
		return
	}
	if strings.IndexByte(s, '%') >= 0 && countKind(chain, KindURLEncoded) < maxTextDecodes {
		if dec, err := url.PathUnescape(s); err == nil && dec != s && utf8.ValidString(dec) {
			n.Hints = append(n.Hints, "raw="+truncate(s, 64))
			d.interpretText(n, dec, base, depth+1, true, appendKind(chain, KindURLEncoded))
			return
		}
	}
	if countKind(chain, KindBase64) < maxTextDecodes {
		if raw, ok := decodeBase64(s); ok && d.inflated+len(raw) <= d.opts.MaxInflated {
			sub := &Node{Path: n.Path, Field: n.Field}
			d.inflated += len(raw)
			d.interpretBytes(sub, raw, 0, depth+1, true, appendKind(chain, KindBase64), false)
			if structured(sub) {
				text := s
				*n = Node{Field: n.Field, Key: n.Key, Index: n.Index, Path: n.Path, Wire: n.Wire, Span: n.Span, Derived: n.Derived, Name: n.Name}
				n.Kind, n.Chain, n.Confidence = sub.Kind, sub.Chain, round2(sub.Confidence*0.9)
				n.Children, n.Bytes, n.Hints, n.Reason, n.Alternatives = sub.Children, sub.Bytes, sub.Hints, sub.Reason, sub.Alternatives
				n.Text = sub.Text
				if n.Text == "" {
					n.Text = text
				}
				return
			}
			d.inflated -= len(raw)
			n.Alternatives = append(n.Alternatives, Alternative{Kind: KindBase64, Confidence: 0.2, Reason: "decodes to unstructured bytes"})
		}
	}
}

// structured reports whether a base64 payload decoded into something more
// convincing than random bytes.
func structured(n *Node) bool {
	switch n.Kind {
	case KindMessage:
		return n.Confidence >= 0.7
	case KindString, KindJSON, KindXML, KindQuery, KindReportLine:
		return len(n.Text) >= 4 && n.Confidence >= 0.8
	}
	return countKind(n.Chain, KindZlib) > 0 && n.Kind != KindOpaque
}

func countKind(chain []Kind, k Kind) int {
	c := 0
	for _, x := range chain {
		if x == k {
			c++
		}
	}
	return c
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// addChild appends c to n unless the node budget is exhausted.
func (d *decoder) addChild(n, c *Node) bool {
	if d.nodes >= d.opts.MaxNodes {
		d.hit(n, BudgetNodes)
		return false
	}
	d.nodes++
	n.Children = append(n.Children, c)
	return true
}

// fillJSON makes n a JSON node with its members as children, keeping member
// order (encoding/json maps would lose it).
func (d *decoder) fillJSON(n *Node, t string, depth int, chain []Kind, semicolons bool) {
	n.Kind, n.Chain, n.Confidence = KindJSON, appendKind(chain, KindJSON), 0.95
	if semicolons {
		n.Hints = append(n.Hints, "semicolon-separated")
		n.Confidence = 0.8
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return
	}
	d.jsonContainer(n, dec, tok, depth+1)
}

// jsonContainer reads the members of the object or array opened by tok.
func (d *decoder) jsonContainer(n *Node, dec *json.Decoder, tok json.Token, depth int) {
	delim, _ := tok.(json.Delim)
	isObj := delim == '{'
	idx := map[string]int{}
	for i := 0; dec.More(); i++ {
		key := ""
		if isObj {
			kt, err := dec.Token()
			if err != nil {
				return
			}
			key, _ = kt.(string)
		}
		vt, err := dec.Token()
		if err != nil {
			return
		}
		c := &Node{Wire: WireNone, Span: n.Span, Derived: n.Derived, Confidence: 0.95}
		if isObj {
			c.Key, c.Index, c.Path = key, idx[key], joinPath(n.Path, key)
			idx[key]++
		} else {
			c.Index, c.Path = i, n.Path+"[]"
		}
		ok := d.addChild(n, c)
		switch v := vt.(type) {
		case json.Delim:
			if !ok || depth > d.opts.MaxDepth {
				// Skip the nested value but say why.
				if ok {
					c.Kind, c.Chain, c.Reason = KindJSON, []Kind{KindJSON}, "depth budget exhausted"
					d.hit(c, BudgetDepth)
				}
				if skipJSON(dec) != nil {
					return
				}
				continue
			}
			c.Kind, c.Chain = KindJSON, []Kind{KindJSON}
			d.jsonContainer(c, dec, v, depth+1)
		case string:
			if ok {
				d.interpretText(c, v, 0, depth+1, true, []Kind{KindString})
			}
		case json.Number:
			c.Kind, c.Chain, c.Text = KindNumber, []Kind{KindNumber}, v.String()
			if f, err := v.Float64(); err == nil {
				c.Float, c.HasFloat = f, true
			}
			if u, err := strconv.ParseUint(v.String(), 10, 64); err == nil {
				c.Hints = timeHints(u)
			}
		case bool:
			c.Kind, c.Chain = KindBool, []Kind{KindBool}
			if v {
				c.Uint = 1
			}
		case nil:
			c.Kind, c.Chain = KindNull, []Kind{KindNull}
		}
	}
	dec.Token() // closing delimiter
}

// skipJSON consumes the rest of a container whose opening token was read.
func skipJSON(dec *json.Decoder) error {
	level := 1
	for level > 0 {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if dl, ok := t.(json.Delim); ok {
			if dl == '{' || dl == '[' {
				level++
			} else {
				level--
			}
		}
	}
	return nil
}

// semicolonJSON undoes the escaping of the CSV separator in kv report
// values, which write {"a":1;"b":2} or [{"a":1#"b":2}]: it turns the first
// separator (';', '#' or '|') that yields valid JSON back into commas
// outside string literals.
func semicolonJSON(t string) (string, bool) {
	for _, sep := range []byte(";#|") {
		if strings.IndexByte(t, sep) < 0 {
			continue
		}
		if s, ok := replaceSep(t, sep); ok {
			return s, true
		}
	}
	return "", false
}

func replaceSep(t string, sep byte) (string, bool) {
	b := []byte(t)
	in, esc := false, false
	for i, c := range b {
		switch {
		case esc:
			esc = false
		case in && c == '\\':
			esc = true
		case c == '"':
			in = !in
		case !in && c == sep:
			b[i] = ','
		}
	}
	if !json.Valid(b) {
		return "", false
	}
	return string(b), true
}

// fillXML makes n an XML node when t is well-formed XML with at least one
// element. Elements become children keyed by name, attributes "@name",
// character data of mixed content "#text".
func (d *decoder) fillXML(n *Node, t string, depth int, chain []Kind) bool {
	dec := xml.NewDecoder(strings.NewReader(t))
	dec.Strict = true
	type frame struct {
		node *Node
		text strings.Builder
		idx  map[string]int
	}
	root := &Node{}
	stack := []*frame{{node: root, idx: map[string]int{}}}
	elems := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return false
		}
		top := stack[len(stack)-1]
		switch v := tok.(type) {
		case xml.StartElement:
			if len(stack) > d.opts.MaxDepth || d.nodes+elems >= d.opts.MaxNodes {
				return false
			}
			elems++
			name := v.Name.Local
			c := &Node{Key: name, Index: top.idx[name], Wire: WireNone, Span: n.Span, Derived: n.Derived, Kind: KindXML, Chain: []Kind{KindXML}, Confidence: 0.9}
			top.idx[name]++
			top.node.Children = append(top.node.Children, c)
			for _, a := range v.Attr {
				elems++
				top := &Node{Key: "@" + a.Name.Local, Wire: WireNone, Span: n.Span, Derived: n.Derived, Kind: KindString, Chain: []Kind{KindString}, Confidence: 0.9, Text: a.Value}
				c.Children = append(c.Children, top)
			}
			stack = append(stack, &frame{node: c, idx: map[string]int{}})
		case xml.EndElement:
			if len(stack) <= 1 {
				return false
			}
			txt := strings.TrimSpace(top.text.String())
			if len(top.node.Children) == 0 {
				top.node.Kind, top.node.Chain, top.node.Text = KindString, []Kind{KindString}, txt
			} else if txt != "" {
				elems++
				top.node.Children = append(top.node.Children, &Node{Key: "#text", Wire: WireNone, Span: n.Span, Derived: n.Derived, Kind: KindString, Chain: []Kind{KindString}, Confidence: 0.9, Text: txt})
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.text.Write(v)
		}
	}
	if len(stack) != 1 || elems == 0 {
		return false
	}
	n.Kind, n.Chain, n.Confidence = KindXML, appendKind(chain, KindXML), 0.9
	n.Children = root.Children
	d.nodes += elems
	setPaths(n)
	// Leaf texts may themselves be encoded (URLs, JSON).
	n.Walk(func(c *Node, _ int) bool {
		if c != n && c.Kind == KindString && len(c.Children) == 0 && len(c.Text) >= 2 {
			d.interpretText(c, c.Text, 0, depth+1, true, c.Chain)
		}
		return true
	})
	return true
}

// setPaths assigns the paths of children built without them.
func setPaths(n *Node) {
	for _, c := range n.Children {
		c.Path = joinPath(n.Path, c.Key)
		setPaths(c)
	}
}

// urlParts is an absolute URL split at its query.
type urlParts struct {
	base  string // scheme://host/path
	query string
	qoff  int // offset of query in the string
}

// splitURL recognises http(s) URLs with a query string.
func splitURL(s string) (urlParts, bool) {
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return urlParts{}, false
	}
	q := strings.IndexByte(s, '?')
	if q < 0 || strings.ContainsAny(s, " \n\t") {
		return urlParts{}, false
	}
	query := s[q+1:]
	if h := strings.IndexByte(query, '#'); h >= 0 {
		query = query[:h]
	}
	if !isQuery(query) {
		return urlParts{}, false
	}
	return urlParts{base: s[:q], query: query, qoff: q + 1}, true
}

// isQuery reports whether s looks like application/x-www-form-urlencoded
// data: key=value pairs joined by '&', keys made of name characters, no
// whitespace.
func isQuery(s string) bool {
	if len(s) < 3 || strings.ContainsAny(s, " \n\t\r\"{}<>") {
		return false
	}
	parts := strings.Split(s, "&")
	withValue := 0
	for _, p := range parts {
		eq := strings.IndexByte(p, '=')
		if eq <= 0 {
			return false
		}
		for _, c := range p[:eq] {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_-.[]%~:", c)) {
				return false
			}
		}
		if eq < len(p)-1 {
			withValue++
		}
	}
	// One bare "x=" is as likely base64 padding as a form.
	return len(parts) >= 2 || withValue == 1
}

// fillQuery makes n a query node. q is the query part of s at offset qoff;
// base is non-empty for URLs and becomes the "$url" child.
func (d *decoder) fillQuery(n *Node, s, q string, qoff, spanBase, depth int, derived bool, chain []Kind, urlBase string) {
	n.Kind, n.Chain, n.Confidence, n.Text = KindQuery, appendKind(chain, KindQuery), 0.85, s
	if urlBase != "" {
		c := &Node{Key: "$url", Path: joinPath(n.Path, "$url"), Wire: WireNone, Span: Span{spanBase, len(urlBase)}, Derived: derived,
			Kind: KindString, Chain: []Kind{KindString}, Confidence: 0.9, Text: urlBase}
		if !d.addChild(n, c) {
			return
		}
	}
	idx := map[string]int{}
	off := qoff
	for _, p := range strings.Split(q, "&") {
		eq := strings.IndexByte(p, '=')
		k, v := p[:eq], p[eq+1:]
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		c := &Node{Key: k, Index: idx[k], Path: joinPath(n.Path, k), Wire: WireNone, Span: Span{spanBase + off + eq + 1, len(v)}, Derived: derived, Confidence: 0.85}
		idx[k]++
		if !d.addChild(n, c) {
			return
		}
		ch := []Kind{KindString}
		val := v
		if dv, err := url.QueryUnescape(v); err == nil && dv != v && utf8.ValidString(dv) {
			val = dv
			ch = append(ch, KindURLEncoded)
		}
		d.interpretText(c, val, spanBase+off+eq+1, depth+1, derived || val != v, ch)
		off += len(p) + 1
	}
}

// isReportLine reports whether s is a comma-separated record such as the
// kv report lines: no line breaks, at least three fields, and fields that
// are tokens rather than prose (prose puts a space after its commas).
func isReportLine(s string) bool {
	if strings.ContainsAny(s, "\n\r") {
		return false
	}
	commas := strings.Count(s, ",")
	if commas < 2 {
		return false
	}
	spaced := strings.Count(s, ", ")
	return spaced*4 <= commas
}

// fillReportLine splits s into positional values "$0", "$1", ….
func (d *decoder) fillReportLine(n *Node, s string, base, depth int, derived bool, chain []Kind) {
	n.Kind, n.Chain, n.Confidence = KindReportLine, appendKind(chain, KindReportLine), 0.75
	off := 0
	for i, p := range strings.Split(s, ",") {
		key := "$" + strconv.Itoa(i)
		c := &Node{Key: key, Path: joinPath(n.Path, key), Wire: WireNone, Span: Span{base + off, len(p)}, Derived: derived, Confidence: 0.75}
		if !d.addChild(n, c) {
			return
		}
		d.interpretText(c, p, base+off, depth+1, derived, []Kind{KindString})
		off += len(p) + 1
	}
}

// decodeBase64 decodes s when it is plausibly base64: long enough, only
// base64 characters, not merely hex digits (hex strings are far more common
// in payloads and also satisfy the alphabet).
func decodeBase64(s string) ([]byte, bool) {
	if len(s) < 16 {
		return nil, false
	}
	hex := true
	urlSafe := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
		case c >= 'g' && c <= 'z' || c >= 'G' && c <= 'Z' || c == '+' || c == '/':
			hex = false
		case c == '-' || c == '_':
			hex, urlSafe = false, true
		case c == '=' && i >= len(s)-2:
			hex = false
		default:
			return nil, false
		}
	}
	if hex {
		return nil, false
	}
	enc := base64.StdEncoding
	if urlSafe {
		enc = base64.URLEncoding
	}
	if len(s)%4 != 0 {
		enc = enc.WithPadding(base64.NoPadding)
	}
	out, err := enc.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return bytes.Clone(out), true
}
