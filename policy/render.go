// This file writes gaps: gaps.jsonl for machines, and Markdown or plain text
// for people, each gap with its evidence chain packet → finding → flow →
// clause. The report package embeds the Markdown.

package policy

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteGaps writes one gap a line as JSON (gaps.jsonl).
func WriteGaps(w io.Writer, gaps []Gap) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range gaps {
		g := gaps[i]
		if g.Evidence == nil {
			g.Evidence = []string{}
		}
		if err := enc.Encode(&g); err != nil {
			return fmt.Errorf("policy: gap %d: %w", i+1, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	return nil
}

// readGaps reads gaps.jsonl as written by WriteGaps.
func readGaps(r io.Reader) ([]Gap, error) {
	var gaps []Gap
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxFindingLine*4)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var g Gap
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			return nil, fmt.Errorf("policy: gaps.jsonl:%d: %w", line, err)
		}
		gaps = append(gaps, g)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("policy: gaps.jsonl: %w", err)
	}
	return gaps, nil
}

// countVerdicts returns the number of gaps of each verdict.
func countVerdicts(gaps []Gap) map[Verdict]int {
	c := map[Verdict]int{}
	for _, g := range gaps {
		c[g.Verdict]++
	}
	return c
}

// RenderOptions controls WriteMarkdown and WriteText.
type RenderOptions struct {
	// Model is the policy the gaps were evaluated against, for the
	// heading; nil leaves its details out.
	Model *Model
	// HeadingLevel of the section heading in Markdown (default 2).
	HeadingLevel int
	// Consistent lists consistent flows too (one line each).
	Consistent bool
}

// WriteMarkdown writes a "Policy" section: a count per verdict, then each gap
// with its explanation and evidence chain. Strings from the input are
// escaped for Markdown so that a payload string cannot inject markup.
func WriteMarkdown(w io.Writer, gaps []Gap, opts RenderOptions) error {
	return render(w, gaps, opts, true)
}

// WriteText is WriteMarkdown as plain text for a terminal.
func WriteText(w io.Writer, gaps []Gap, opts RenderOptions) error {
	return render(w, gaps, opts, false)
}

func render(w io.Writer, gaps []Gap, opts RenderOptions, md bool) error {
	bw := bufio.NewWriter(w)
	esc := func(s string) string { return s }
	code := func(s string) string { return s }
	if md {
		esc = mdEscape
		code = func(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }
	}
	level := opts.HeadingLevel
	if level <= 0 {
		level = 2
	}
	h := func(n int, s string) {
		if md {
			fmt.Fprintf(bw, "%s %s\n\n", strings.Repeat("#", n), s)
		} else {
			fmt.Fprintf(bw, "%s\n%s\n\n", s, strings.Repeat("=-"[min(n-level, 1):][:1], len([]rune(s))))
		}
	}
	h(level, "Policy")
	if m := opts.Model; m != nil {
		fmt.Fprintf(bw, "Compared with the %s (%s, version %s, %s), model %s.\n", esc(m.title()), esc(m.Operator), esc(m.Version), esc(m.Date), code(m.Name))
		fmt.Fprintf(bw, "It applies to %s.\n\n", esc(m.AppliesTo.Description))
	}
	counts := countVerdicts(gaps)
	for i := len(Verdicts) - 1; i >= 0; i-- {
		k := Verdicts[i]
		if md {
			fmt.Fprintf(bw, "- %s: %d\n", code(string(k)), counts[k])
		} else {
			fmt.Fprintf(bw, "  %-19s %d\n", k, counts[k])
		}
	}
	bw.WriteString("\n")
	n := 0
	for i := range gaps {
		g := &gaps[i]
		if !g.Verdict.IsGap() {
			continue
		}
		n++
		h(level+1, fmt.Sprintf("%d. %s: %s, %s → %s", n, verdictTitle(g.Verdict), esc(g.DataType), esc(g.Feature), esc(g.Recipient)))
		fmt.Fprintf(bw, "%s\n\n", esc(g.Explanation))
		writeChain(bw, g, md, esc, code)
		bw.WriteString("\n")
	}
	if n == 0 {
		bw.WriteString("No gaps: every observed flow is covered by a specific disclosure.\n\n")
	}
	if opts.Consistent && counts[Consistent] > 0 {
		h(level+1, "Consistent flows")
		for i := range gaps {
			g := &gaps[i]
			if g.Verdict.IsGap() {
				continue
			}
			fmt.Fprintf(bw, "- %s, %s → %s (run %s): clause %s\n", esc(g.DataType), esc(g.Feature), esc(g.Recipient), esc(g.Run), code(g.Clause))
		}
		bw.WriteString("\n")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	return nil
}

// writeChain writes the evidence chain of one gap as a list.
func writeChain(bw *bufio.Writer, g *Gap, md bool, esc, code func(string) string) {
	bullet := "- "
	if !md {
		bullet = "  - "
	}
	for _, ex := range g.Examples {
		var pkt []string
		if ex.Source != "" {
			pkt = append(pkt, esc(ex.Source))
		}
		if ex.URI != "" {
			pkt = append(pkt, code(ex.URI))
		}
		if ex.ReqType != 0 {
			pkt = append(pkt, fmt.Sprintf("request type %d", ex.ReqType))
		}
		if ex.Time != "" {
			pkt = append(pkt, esc(ex.Time))
		}
		fin := code(ex.Finding)
		if ex.FieldPath != "" {
			fin += " at " + code(ex.FieldPath)
		}
		if ex.Rule != "" {
			fin += " by rule " + code(ex.Rule)
		}
		fmt.Fprintf(bw, "%spacket %s → finding %s → flow %s → %s\n", bullet, strings.Join(pkt, ", "), fin,
			code(g.DataType+" / "+g.Recipient+" / "+g.Feature+" / "+g.Run), clauseRef(g, code, esc))
	}
	if extra := len(g.Evidence) - len(g.Examples); extra > 0 || len(g.Examples) == 0 {
		ids := g.Evidence
		if len(ids) > 10 {
			ids = ids[:10]
		}
		quoted := make([]string, len(ids))
		for i, id := range ids {
			quoted[i] = code(id)
		}
		more := ""
		if len(g.Evidence) > len(ids) {
			more = fmt.Sprintf(" and %d more", len(g.Evidence)-len(ids))
		}
		fmt.Fprintf(bw, "%sall findings (%d): %s%s → %s\n", bullet, len(g.Evidence), strings.Join(quoted, ", "), more, clauseRef(g, code, esc))
	}
	if g.Elsewhere != nil {
		fmt.Fprintf(bw, "%sunder %s: %s %s\n", bullet, code(g.Elsewhere.Policy), code(string(g.Elsewhere.Verdict)), code(g.Elsewhere.Clause))
	}
}

func clauseRef(g *Gap, code, esc func(string) string) string {
	if g.Clause == "" {
		return "no clause in " + code(g.Policy)
	}
	s := "clause " + code(g.Policy+"#"+g.Clause)
	if g.Certainty != "" {
		s += " (certainty " + esc(g.Certainty) + ")"
	}
	return s
}

func verdictTitle(k Verdict) string {
	switch k {
	case Omitted:
		return "Not disclosed"
	case IncorrectEntity:
		return "Disclosed for another collector"
	case GovernedElsewhere:
		return "Governed by another policy"
	case Ambiguous:
		return "Ambiguous"
	}
	return "Disclosed"
}

// mdEscape escapes Markdown and HTML metacharacters so text from a payload
// renders as text.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '#', '|', '!', '{', '}':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// OnlyGaps returns the gaps that are not consistent, in order.
func OnlyGaps(gaps []Gap) []Gap {
	out := gaps[:0:0]
	for _, g := range gaps {
		if g.Verdict.IsGap() {
			out = append(out, g)
		}
	}
	return out
}

// Formats are the formats WriteFormat writes ("md" is markdown).
var Formats = []string{"text", "markdown", "md", "jsonl"}

// WriteFormat writes gaps as text, markdown or jsonl (gaps.jsonl lines;
// consistent flows only with opts.Consistent).
func WriteFormat(w io.Writer, format string, gaps []Gap, opts RenderOptions) error {
	switch format {
	case "jsonl":
		if !opts.Consistent {
			gaps = OnlyGaps(gaps)
		}
		return WriteGaps(w, gaps)
	case "markdown", "md":
		return WriteMarkdown(w, gaps, opts)
	case "text":
		return WriteText(w, gaps, opts)
	}
	return fmt.Errorf("policy: unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}
