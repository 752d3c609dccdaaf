// This file interprets text found in payloads: JSON, XML, URLs and query
// strings, percent-encoding, base64 and the comma-separated kv report lines
// of newreportkvcomm and rtkvreport. See doc/protocol.md, section 6.

package schemaless

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// maxTextDecodes bounds repeated percent-decoding and base64 rounds of one
// string, independently of MaxDepth.
const maxTextDecodes = 4

// interpretText fills n with the best reading of the text s. chain ends with
// the step that produced s (string, urlencoded, base64, …). exact says that
// s is byte for byte the bytes at base in n's buffer (derived says whether
// that is a transform's output): report-line and query parts then get
// exact spans, and so do JSON values wherever the JSON text holds their
// bytes unchanged (strings without escapes, numbers, literals,
// containers). Other values inside the text get the span of n.
func (d *decoder) interpretText(n *Node, s string, base, depth int, derived bool, chain []Kind, exact bool) {
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
		d.hit(n, budgetDepth)
		return
	}
	if d.work > d.opts.MaxWork {
		d.hit(n, budgetWork)
		return
	}
	d.work += len(s)
	t := strings.TrimSpace(s)
	if t == "" {
		return
	}
	// Where t's bytes are in n's buffer, when they are there unchanged.
	pos := jsonPos{derived: true}
	if exact {
		pos = jsonPos{exact: true, base: base + len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace)), derived: derived}
	}
	switch t[0] {
	case '{', '[':
		if json.Valid(unsafeBytes(t)) {
			d.fillJSON(n, t, depth, chain, false, pos)
			return
		}
		// kv report values escape the CSV separator: {"a":1;"b":2}.
		// The separators are replaced one for one, so positions hold.
		if alt, ok := semicolonJSON(t); ok {
			d.fillJSON(n, alt, depth, chain, true, pos)
			return
		}
	case '<':
		if d.fillXML(n, t, depth, chain) {
			return
		}
	}
	if u, ok := splitURL(s); ok {
		d.fillQuery(n, s, u.query, u.qoff, base, depth, derived, chain, u.base, exact)
		return
	}
	if isQuery(s) {
		d.fillQuery(n, s, s, 0, base, depth, derived, chain, "", exact)
		return
	}
	if isReportLine(s) {
		d.fillReportLine(n, s, base, depth, derived, chain, exact)
		return
	}
	if strings.IndexByte(s, '%') >= 0 && countKind(chain, KindURLEncoded) < maxTextDecodes {
		if dec, err := url.PathUnescape(s); err == nil && dec != s && utf8.ValidString(dec) {
			n.Hints = append(n.Hints, "raw="+truncate(s, 64))
			d.interpretText(n, dec, base, depth+1, true, d.appendKind(chain, KindURLEncoded), false)
			return
		}
	}
	if countKind(chain, KindBase64) < maxTextDecodes {
		if raw, ok := decodeBase64(s); ok && d.inflated+len(raw) <= d.opts.MaxInflated {
			sub := d.newNode()
			*sub = Node{Path: n.Path, Field: n.Field}
			d.inflated += len(raw)
			d.interpretBytes(sub, raw, 0, depth+1, true, d.appendKind(chain, KindBase64), false)
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
		d.hit(n, budgetNodes)
		return false
	}
	d.nodes++
	n.Children = append(n.Children, c)
	return true
}

// jsonPos says where a JSON text is in its node's buffer.
type jsonPos struct {
	exact   bool // the text's bytes are at base in the buffer
	base    int
	derived bool // the buffer is a transform's output (Node.Derived)
}

// span sets c's span to t[start:end] when its position is known.
func (pos jsonPos) span(c *Node, start, end int) {
	if pos.exact {
		c.Span, c.Derived = Span{pos.base + start, end - start}, pos.derived
	}
}

// fillJSON makes n a JSON node with its members as children, keeping member
// order (encoding/json maps would lose it). t must be valid JSON (json.Valid).
func (d *decoder) fillJSON(n *Node, t string, depth int, chain []Kind, semicolons bool, pos jsonPos) {
	n.Kind, n.Chain, n.Confidence = KindJSON, d.appendKind(chain, KindJSON), 0.95
	if semicolons {
		n.Hints = append(n.Hints, "semicolon-separated")
		n.Confidence = 0.8
	}
	p := jsonText{s: t}
	p.space()
	if p.i >= len(t) || t[p.i] != '{' && t[p.i] != '[' {
		return
	}
	open := t[p.i]
	p.i++
	d.jsonContainer(n, &p, open, depth+1, pos)
}

// jsonContainer reads the members of the object or array opened by open,
// up to and including its closing delimiter.
func (d *decoder) jsonContainer(n *Node, p *jsonText, open byte, depth int, pos jsonPos) {
	isObj := open == '{'
	var idx counter[string]
	arrPath := ""
	if !isObj {
		arrPath = d.joinPathSuffix(n.Path, "[]")
	}
	for i := 0; ; i++ {
		if !p.more() {
			p.i++ // closing delimiter
			return
		}
		key := ""
		if isObj {
			key, _ = p.str()
			p.space()
			p.i++ // ':'
			p.space()
		}
		c := d.newNode()
		c.Wire, c.Span, c.Derived, c.Confidence = WireNone, n.Span, n.Derived, 0.95
		if isObj {
			c.Key, c.Index, c.Path = key, idx.next(key), d.joinPath(n.Path, key)
		} else {
			c.Index, c.Path = i, arrPath
		}
		ok := d.addChild(n, c)
		start := p.i
		switch v := p.s[p.i]; v {
		case '{', '[':
			p.i++
			if !ok || depth > d.opts.MaxDepth {
				// Skip the nested value but say why.
				if ok {
					c.Kind, c.Chain, c.Reason = KindJSON, d.chain1(KindJSON), "depth budget exhausted"
					d.hit(c, budgetDepth)
				}
				p.skip()
				pos.span(c, start, p.i)
				continue
			}
			c.Kind, c.Chain = KindJSON, d.chain1(KindJSON)
			// Children whose bytes cannot be located keep the span
			// of an enclosing value, which contains them.
			d.jsonContainer(c, p, v, depth+1, pos)
			pos.span(c, start, p.i)
		case '"':
			s, raw := p.str()
			if !ok {
				break
			}
			if raw && pos.exact {
				pos.span(c, start+1, p.i-1)
				d.interpretText(c, s, pos.base+start+1, depth+1, pos.derived, d.chain1(KindString), true)
			} else {
				d.interpretText(c, s, 0, depth+1, true, d.chain1(KindString), false)
			}
		case 't', 'f':
			c.Kind, c.Chain = KindBool, d.chain1(KindBool)
			if v == 't' {
				c.Uint = 1
				p.i += len("true")
			} else {
				p.i += len("false")
			}
			pos.span(c, start, p.i)
		case 'n':
			c.Kind, c.Chain = KindNull, d.chain1(KindNull)
			p.i += len("null")
			pos.span(c, start, p.i)
		default:
			lit := p.number()
			pos.span(c, start, p.i)
			c.Kind, c.Chain, c.Text = KindNumber, d.chain1(KindNumber), lit
			// As json.Number.Float64 does.
			if f, err := strconv.ParseFloat(lit, 64); err == nil {
				c.Float, c.HasFloat = f, true
			}
			if u, err := strconv.ParseUint(lit, 10, 64); err == nil {
				c.Hints = d.timeHints(u)
			}
		}
	}
}

// jsonText walks a JSON text that json.Valid accepted, so it checks
// nothing: it only finds where tokens end. Strings without escapes are
// returned as substrings of s, without copying.
type jsonText struct {
	s string
	i int
}

// space skips JSON whitespace.
func (p *jsonText) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// more skips to the next member of the current container and reports
// whether there is one; false leaves p at the closing delimiter.
func (p *jsonText) more() bool {
	p.space()
	if c := p.s[p.i]; c == '}' || c == ']' {
		return false
	}
	if p.s[p.i] == ',' {
		p.i++
		p.space()
	}
	return true
}

// str reads the string literal at p.i and returns its value; raw says the
// value is the literal's bytes unchanged (no escapes, valid UTF-8).
func (p *jsonText) str() (string, bool) {
	start := p.i
	p.i++
	plain := true
	for ; p.s[p.i] != '"'; p.i++ {
		switch c := p.s[p.i]; {
		case c == '\\':
			plain = false
			p.i++
		case c >= utf8.RuneSelf:
			plain = false
		}
	}
	p.i++
	lit := p.s[start:p.i]
	if plain || !strings.Contains(lit, "\\") && utf8.ValidString(lit) {
		return lit[1 : len(lit)-1], true
	}
	// Escapes, or invalid UTF-8 that encoding/json replaces with U+FFFD:
	// let encoding/json unquote, so values are exactly its.
	return unquote(lit), false
}

// unquote is kept apart from str so that only escaped strings pay for
// the heap variable json.Unmarshal needs.
func unquote(lit string) string {
	var v string
	if json.Unmarshal(unsafeBytes(lit), &v) != nil {
		return lit[1 : len(lit)-1]
	}
	return v
}

// number reads the number literal at p.i.
func (p *jsonText) number() string {
	start := p.i
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

// skip consumes the rest of a container whose opening delimiter was read.
func (p *jsonText) skip() {
	level := 1
	for level > 0 && p.i < len(p.s) {
		switch p.s[p.i] {
		case '"':
			_, _ = p.str()
			continue
		case '{', '[':
			level++
		case '}', ']':
			level--
		}
		p.i++
	}
}

// unsafeBytes returns the bytes of s without copying, for functions that
// only read their argument (json.Valid, json.Unmarshal's input).
func unsafeBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
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
		idx  counter[string]
	}
	root := &Node{}
	stack := []*frame{{node: root}}
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
			c := d.newNode()
			*c = Node{Key: name, Index: top.idx.next(name), Wire: WireNone, Span: n.Span, Derived: n.Derived, Kind: KindXML, Chain: d.chain1(KindXML), Confidence: 0.9}
			top.node.Children = append(top.node.Children, c)
			for _, a := range v.Attr {
				elems++
				top := d.newNode()
				*top = Node{Key: "@" + a.Name.Local, Wire: WireNone, Span: n.Span, Derived: n.Derived, Kind: KindString, Chain: d.chain1(KindString), Confidence: 0.9, Text: a.Value}
				c.Children = append(c.Children, top)
			}
			stack = append(stack, &frame{node: c})
		case xml.EndElement:
			if len(stack) <= 1 {
				return false
			}
			txt := strings.TrimSpace(top.text.String())
			if len(top.node.Children) == 0 {
				top.node.Kind, top.node.Chain, top.node.Text = KindString, d.chain1(KindString), txt
			} else if txt != "" {
				elems++
				tn := d.newNode()
				*tn = Node{Key: "#text", Wire: WireNone, Span: n.Span, Derived: n.Derived, Kind: KindString, Chain: d.chain1(KindString), Confidence: 0.9, Text: txt}
				top.node.Children = append(top.node.Children, tn)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.text.Write(v)
		}
	}
	if len(stack) != 1 || elems == 0 {
		return false
	}
	n.Kind, n.Chain, n.Confidence = KindXML, d.appendKind(chain, KindXML), 0.9
	n.Children = root.Children
	d.nodes += elems
	d.setPaths(n)
	// Leaf texts may themselves be encoded (URLs, JSON).
	n.Walk(func(c *Node, _ int) bool {
		if c != n && c.Kind == KindString && len(c.Children) == 0 && len(c.Text) >= 2 {
			d.interpretText(c, c.Text, 0, depth+1, true, c.Chain, false)
		}
		return true
	})
	return true
}

// setPaths assigns the paths of children built without them.
func (d *decoder) setPaths(n *Node) {
	for _, c := range n.Children {
		c.Path = d.joinPath(n.Path, c.Key)
		d.setPaths(c)
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
	if len(s) < 3 || strings.IndexByte(s, '=') < 0 || strings.ContainsAny(s, " \n\t\r\"{}<>") {
		return false
	}
	parts, withValue := 0, 0
	for rest, more := s, true; more; {
		var p string
		p, rest, more = strings.Cut(rest, "&")
		parts++
		eq := strings.IndexByte(p, '=')
		if eq <= 0 {
			return false
		}
		for i := 0; i < eq; i++ {
			if !isKeyChar(p[i]) {
				return false
			}
		}
		if eq < len(p)-1 {
			withValue++
		}
	}
	// One bare "x=" is as likely base64 padding as a form.
	return parts >= 2 || withValue == 1
}

// isKeyChar reports whether c may appear in a query key.
func isKeyChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '_', '-', '.', '[', ']', '%', '~', ':':
		return true
	}
	return false
}

// fillQuery makes n a query node. q is the query part of s at offset qoff;
// base is non-empty for URLs and becomes the "$url" child.
func (d *decoder) fillQuery(n *Node, s, q string, qoff, spanBase, depth int, derived bool, chain []Kind, urlBase string, exact bool) {
	n.Kind, n.Chain, n.Confidence, n.Text = KindQuery, d.appendKind(chain, KindQuery), 0.85, s
	if urlBase != "" {
		c := d.newNode()
		*c = Node{Key: "$url", Path: d.joinPath(n.Path, "$url"), Wire: WireNone, Span: Span{spanBase, len(urlBase)}, Derived: derived,
			Kind: KindString, Chain: d.chain1(KindString), Confidence: 0.9, Text: urlBase}
		if !d.addChild(n, c) {
			return
		}
	}
	var idx counter[string]
	off := qoff
	for rest, more := q, true; more; {
		var p string
		p, rest, more = strings.Cut(rest, "&")
		eq := strings.IndexByte(p, '=')
		k, v := p[:eq], p[eq+1:]
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		c := d.newNode()
		c.Key, c.Index, c.Path, c.Wire = k, idx.next(k), d.joinPath(n.Path, k), WireNone
		c.Span, c.Derived, c.Confidence = Span{spanBase + off + eq + 1, len(v)}, derived, 0.85
		if !d.addChild(n, c) {
			return
		}
		val := v
		var ch []Kind
		if dv, err := url.QueryUnescape(v); err == nil && dv != v && utf8.ValidString(dv) {
			val = dv
			ch = d.kinds(2)
			ch[0], ch[1] = KindString, KindURLEncoded
		} else {
			ch = d.chain1(KindString)
		}
		d.interpretText(c, val, spanBase+off+eq+1, depth+1, derived || val != v, ch, exact && val == v)
		off += len(p) + 1
	}
}

// isReportLine reports whether s is a comma-separated record such as the
// kv report lines: no line breaks, at least three fields, and fields that
// are tokens rather than prose (prose puts a space after its commas).
func isReportLine(s string) bool {
	// Cheapest test first: most strings have no commas.
	commas := strings.Count(s, ",")
	if commas < 2 || strings.IndexByte(s, '\n') >= 0 || strings.IndexByte(s, '\r') >= 0 {
		return false
	}
	spaced := strings.Count(s, ", ")
	return spaced*4 <= commas
}

// fillReportLine splits s into positional values "$0", "$1", ….
func (d *decoder) fillReportLine(n *Node, s string, base, depth int, derived bool, chain []Kind, exact bool) {
	n.Kind, n.Chain, n.Confidence = KindReportLine, d.appendKind(chain, KindReportLine), 0.75
	n.Children = d.children(max(0, min(strings.Count(s, ",")+1, d.opts.MaxNodes-d.nodes+1)))
	off := 0
	keyAt := 0
	if n.Path != "" {
		keyAt = len(n.Path) + 1
	}
	for i, rest, more := 0, s, true; more; i++ {
		var p string
		p, rest, more = strings.Cut(rest, ",")
		path := d.joinPathNum(n.Path, "$", i)
		c := d.newNode()
		c.Key, c.Path, c.Wire, c.Span, c.Derived, c.Confidence = path[keyAt:], path, WireNone, Span{base + off, len(p)}, derived, 0.75
		if !d.addChild(n, c) {
			return
		}
		d.interpretText(c, p, base+off, depth+1, derived, d.chain1(KindString), exact)
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
	var enc *base64.Encoding
	switch {
	case urlSafe && len(s)%4 != 0:
		enc = base64.RawURLEncoding
	case urlSafe:
		enc = base64.URLEncoding
	case len(s)%4 != 0:
		enc = base64.RawStdEncoding
	default:
		enc = base64.StdEncoding
	}
	out, err := enc.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return out, true
}
