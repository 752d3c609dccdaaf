package report

// An evidence page holds up to findingsPerPage findings, and running them
// through html/template (a reflected call per escaper per field) was a
// fifth of `wxaudit analyze`'s CPU. Each request's section is written here
// instead, escaped as html/template escapes these contexts (element text
// and quoted attributes: its htmlEscaper and attrEscaper; a URL fragment:
// its urlEscaper), and handed to the page template as template.HTML.
// TestEvidenceHTMLAsTemplate and FuzzEvidenceHTML hold the output to the
// template's, byte for byte.

import (
	"html/template"
	"strconv"
	"strings"
)

// HTML is the request's section of an evidence page.
func (hr htmlRequest) HTML() template.HTML {
	var b strings.Builder
	q := &hr.Q
	b.WriteString(`<section class="req" id="`)
	escapeHTML(&b, hr.Anchor)
	b.WriteString(`"><h3>`)
	escapeHTML(&b, q.Run)
	b.WriteString(" #")
	b.WriteString(strconv.Itoa(q.Seq))
	b.WriteString(` <span class="mono">`)
	escapeHTML(&b, reqKey(q.URI, q.ReqType))
	b.WriteString(`</span> · `)
	escapeHTML(&b, q.Feature)
	b.WriteString(" → ")
	escapeHTML(&b, q.Recipient)
	if q.Time != "" {
		b.WriteString(" · ")
		escapeHTML(&b, q.Time)
	}
	b.WriteString("</h3>\n<p class=\"why mono\">")
	escapeHTML(&b, q.Source)
	if q.FeatureReason != "" {
		b.WriteString(" · feature from content: ")
		escapeHTML(&b, q.FeatureReason)
	}
	b.WriteString("</p>\n")
	for i := range hr.Findings {
		hf := &hr.Findings[i]
		f := &hf.F
		b.WriteString(`<div class="fd" id="`)
		escapeHTML(&b, f.ID)
		b.WriteString(`"><a href="#`)
		escapeURLPart(&b, f.ID)
		b.WriteString(`" class="mono">`)
		escapeHTML(&b, f.ID)
		b.WriteString(`</a> <b>`)
		escapeHTML(&b, f.DataType)
		b.WriteString(`</b> <span class="`)
		escapeHTML(&b, f.Confidence)
		b.WriteString(`">`)
		escapeHTML(&b, f.Confidence)
		b.WriteString(`</span>`)
		if f.AppID != "" {
			b.WriteString(` · Mini Program <span class="mono">`)
			escapeHTML(&b, f.AppID)
			b.WriteString(`</span>`)
		}
		b.WriteString(` · <span class="mono">`)
		escapeHTML(&b, f.Evidence.FieldPath)
		b.WriteString(`</span>`)
		if s := f.Evidence.Span; s != nil {
			b.WriteString(" · bytes ")
			b.WriteString(strconv.Itoa(s.Offset))
			b.WriteByte('+')
			b.WriteString(strconv.Itoa(s.Length))
		}
		b.WriteString(` · <span class="mono">`)
		escapeHTML(&b, f.Evidence.Rule)
		b.WriteString(`</span><br><span class="mono">`)
		escapeHTML(&b, hf.Before)
		b.WriteString(`<mark>`)
		escapeHTML(&b, hf.Mark)
		b.WriteString(`</mark>`)
		escapeHTML(&b, hf.After)
		b.WriteString("</span></div>\n")
	}
	b.WriteString("</section>\n")
	return template.HTML(b.String())
}

// escapeHTML writes s as html/template writes a string in element text or
// a quoted attribute value: its replacement table, nothing else (invalid
// UTF-8 and the noncharacters pass through in these contexts).
func escapeHTML(b *strings.Builder, s string) {
	written := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b.WriteString(s[written:i])
		b.WriteString(repl)
		written = i + 1
	}
	b.WriteString(s[written:])
}

// escapeURLPart writes s as html/template writes a string in a URL's
// query or fragment: every byte but the unreserved ones percent-encoded
// (lowercase hex), which leaves nothing for the attribute to escape.
func escapeURLPart(b *strings.Builder, s string) {
	const hexDigits = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
}
