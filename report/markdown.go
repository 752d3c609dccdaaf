package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"
)

// mdText escapes text from payloads (or anything derived from them) for
// Markdown: every character with a meaning in CommonMark or GitHub's
// tables is backslash-escaped, so no link, image, HTML tag or emphasis can
// be injected, and bidirectional and other invisible control characters are
// dropped, so text cannot reorder what a reader sees.
func mdText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case isInvisible(r):
			// dropped
		case r < 0x80 && strings.ContainsRune("\\`*_[]<>!|~&$@", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == ':' && strings.HasPrefix(s[i:], "://"), r == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www"):
			// No bare URL becomes an autolink.
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isInvisible reports control and format characters, the bidirectional
// overrides and isolates among them (U+202A–U+202E, U+2066–U+2069).
func isInvisible(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// WriteMarkdown writes report.md: the answers first, then the grouped
// policy gaps, runs, data types, Mini Programs, locations and sample
// evidence. Finding IDs refer to findings.jsonl and report.html.
func (d *digest) writeMarkdown(w io.Writer) error {
	r, sum := d.head, d.sumDone
	b := bufio.NewWriter(w)
	b.WriteString("# wxaudit report\n\n")
	fmt.Fprintf(b, "%d runs, %d requests, %d findings", len(r.Runs), d.heads.n, d.nFinds)
	if r.Policy != nil {
		fmt.Fprintf(b, ", compared with the %s", mdText(r.Policy.Title))
		if r.Policy.Version != "" {
			fmt.Fprintf(b, " (%s)", mdText(r.Policy.Version))
		}
	}
	b.WriteString(".\n\n")
	if r.redacted {
		b.WriteString("Safe to share: the researcher's identifiers are shown as pseudonyms (the same value, the same pseudonym) and coordinates are coarsened to about 1 km; `wxaudit analyze --reveal` shows the values.\n\n")
	}
	b.WriteString("## Answers\n\n")
	if r.Synthetic {
		b.WriteString("**Synthetic data.** These answers come from traffic that wxaudit generated itself (wxaudit demo, wxaudit synth): they show what the tool does and say nothing about WeChat.\n\n")
	}
	fmt.Fprintf(b, "Five answers test the findings of %s (%s), one each; two are wxaudit's own questions. supported: these runs show the sentence holds; contradicted: they show, with at least the evidence doc/claims.md sets for it, that it does not; not testable: these runs cannot tell, and the answer says what to capture next.\n\n", StudyTitle, StudyURL)
	for _, c := range r.Claims {
		source := "wxaudit's own question"
		if c.Source == SourceStudy {
			source = "study finding"
		}
		concern := "not a concern"
		if c.Verdict == NotTestable {
			concern = "undecided"
		} else if c.Concern {
			concern = "a privacy concern"
		}
		fmt.Fprintf(b, "### %s: %s (%s; %s)\n\n", VerdictWord(c.Verdict), mdText(c.Title), source, concern)
		if c.StudySentence != "" {
			fmt.Fprintf(b, "> The study: \"%s\"\n\n", mdText(c.StudySentence))
		}
		fmt.Fprintf(b, "%s\n\n*Why:* %s\n\n", mdText(c.Statement), mdText(c.Why))
		for i, x := range c.Exceptions {
			if i == 0 {
				b.WriteString("*Exceptions:*\n\n")
			}
			fmt.Fprintf(b, "- %s\n", mdText(x))
			if i == len(c.Exceptions)-1 {
				b.WriteString("\n")
			}
		}
		if c.Next != "" {
			fmt.Fprintf(b, "*To capture next:* %s\n\n", mdText(c.Next))
		}
		if len(c.Evidence) > 0 {
			n := min(len(c.Evidence), 8)
			fmt.Fprintf(b, "Evidence: %s", mdText(strings.Join(c.Evidence[:n], ", ")))
			if len(c.Evidence) > n {
				fmt.Fprintf(b, " and %d more (claims.json)", len(c.Evidence)-n)
			}
			b.WriteString("\n\n")
		}
	}
	if r.Policy != nil {
		groups := d.gaps
		counts := GapCounts(groups)
		fmt.Fprintf(b, "## Policy gaps\n\n%d distinct gaps: %d name the wrong collector, %d are left to another policy, %d are not disclosed, %d are covered only by vague wording. Most serious first.\n\n",
			len(groups), counts["incorrect_entity"], counts["governed_elsewhere"], counts["omitted"], counts["ambiguous"])
		var ambiguous []GapGroup
		for _, g := range groups {
			if g.Kind == "ambiguous" {
				ambiguous = append(ambiguous, g)
				continue
			}
			fmt.Fprintf(b, "- **%s**: %s, %s, to %s. %s %d findings in %s. Evidence: %s.\n", KindWord(g.Kind), mdText(g.DataType), mdText(g.Feature),
				mdText(g.Recipient), mdText(g.Statement), g.Findings, mdText(strings.Join(g.Runs, ", ")), mdText(strings.Join(g.Evidence[:min(3, len(g.Evidence))], ", ")))
		}
		if len(ambiguous) > 0 {
			var names []string
			for _, g := range ambiguous {
				names = append(names, g.DataType+" ("+g.Feature+")")
			}
			fmt.Fprintf(b, "\nCovered only by vague wording (%d): %s.\n", len(ambiguous), mdText(strings.Join(names, "; ")))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Runs\n\nA run derived from a cumulative log is the lines after the prefix that is another run. A run with several app starts or Mini Program launches may hold more than one experiment.\n\n")
	b.WriteString("| run | permissions | own requests | derived from | lines | app starts | Mini Program launches | several experiments | source |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, run := range r.Runs {
		several := ""
		if run.SeveralExperiments {
			several = "possibly"
		}
		fmt.Fprintf(b, "| %s | %s | %d | %s | %s | %d | %d | %s | %s |\n", mdText(run.Label), mdText(run.Permissions), run.Requests,
			mdText(run.Extends), run.LineSpan, run.AppStarts, run.MPSessions, several, mdText(run.Source))
	}
	for _, run := range r.Runs {
		d := run.Decryption
		if d == nil {
			continue
		}
		fmt.Fprintf(b, "\n### Decryption of %s\n\n%d connections, %d records (%d encrypted, %d decrypted), %d payloads.\n",
			mdText(run.Label), d.Connections, d.Records, d.RecordsEncrypted, d.RecordsDecrypted, d.Payloads)
		if nd := d.NotDecrypted(); len(nd) > 0 {
			b.WriteString("\nNot decrypted:\n\n")
			for _, x := range nd {
				fmt.Fprintf(b, "- %s\n", mdText(x))
			}
		} else {
			b.WriteString("\nEverything was decrypted.\n")
		}
		if d.Error != "" {
			fmt.Fprintf(b, "\nThe capture ended early: %s\n", mdText(d.Error))
		}
	}
	b.WriteString("\n## Data types per run\n\n")
	for _, rs := range sum.Runs {
		fmt.Fprintf(b, "### %s (permissions %s, %d requests)\n\n", mdText(rs.Run), mdText(rs.Permissions), rs.Requests)
		set := map[string]bool{}
		for dt := range rs.DataTypes {
			set[dt] = true
		}
		dts := taxonomyOrder(set)
		if len(dts) == 0 {
			b.WriteString("No personal data found.\n\n")
			continue
		}
		b.WriteString("| data type | sensitivity | findings | features |\n|---|---|---|---|\n")
		for _, dt := range dts {
			var feats []string
			for f, m := range rs.Features {
				if m[dt] > 0 {
					feats = append(feats, f)
				}
			}
			sort.Strings(feats)
			fmt.Fprintf(b, "| %s | %s | %d | %s |\n", mdText(dt), SensitivityName(Sensitivity(dt)), rs.DataTypes[dt], mdText(strings.Join(feats, ", ")))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Mini Programs\n\n")
	if len(sum.MiniPrograms) == 0 {
		b.WriteString("None seen.\n\n")
	}
	for _, mp := range sum.MiniPrograms {
		eps := make([]string, 0, len(mp.Endpoints))
		for e, n := range mp.Endpoints {
			eps = append(eps, fmt.Sprintf("%s (%d)", e, n))
		}
		sort.Strings(eps)
		launch := fmt.Sprint(mp.Launches)
		if mp.LaunchesInferred {
			launch += " (inferred from its reported pages or events)"
		}
		fmt.Fprintf(b, "### %s\n\nRuns: %s. Received by: %s. Launches: %s, UI events: %d, searches: %d.\n\nReported through: %s.\n\n",
			mdText(mp.AppID), mdText(strings.Join(mp.Runs, ", ")), mdText(strings.Join(mp.Recipient, ", ")), launch, mp.UIEvents, mp.Searches, mdText(strings.Join(eps, ", ")))
		if len(mp.Pages) > 0 {
			b.WriteString("| page | run | time | stay (ms) | endpoint |\n|---|---|---|---|---|\n")
			for _, p := range mp.Pages {
				stay := ""
				if p.StayMS > 0 {
					stay = fmt.Sprint(p.StayMS)
				}
				fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", mdText(p.Page), mdText(p.Run), mdText(p.Time), stay, mdText(p.Endpoint))
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("## Locations\n\n")
	if len(sum.Locations) == 0 {
		b.WriteString("No coordinates were sent.\n\n")
	} else {
		if r.redacted {
			b.WriteString("Coordinates are coarsened to about 1 km for sharing; the precision column is the value's precision as WeChat sent it.\n\n")
		}
		b.WriteString("| lat | lon | sent at a precision of (m) | encoding | run | permissions | feature | request | finding |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, l := range sum.Locations {
			fmt.Fprintf(b, "| %.5f | %.5f | %.1f | %s | %s | %s | %s | %s | %s |\n", l.Lat, l.Lon, l.PrecisionM, mdText(l.Encoding),
				mdText(l.Run), mdText(l.Permissions), mdText(l.Feature), mdText(reqKey(l.URI, l.ReqType)), mdText(l.Finding))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Evidence (first finding of each data type per run)\n\n| finding | run | data type | confidence | request | field | value | rule |\n|---|---|---|---|---|---|---|---|\n")
	for _, f := range d.firstOf {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", mdText(f.ID), mdText(f.Run), mdText(f.DataType), mdText(f.Confidence),
			mdText(reqKey(f.URI, f.ReqType)), mdText(f.Evidence.FieldPath), mdText(f.Evidence.Value), mdText(f.Evidence.Rule))
	}
	if len(r.Errors) > 0 {
		b.WriteString("\n## Problems while analysing\n\n")
		for _, e := range r.Errors {
			fmt.Fprintf(b, "- %s\n", mdText(e))
		}
	}
	return b.Flush()
}
