package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// mdCell escapes a value for a Markdown table cell.
func mdCell(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "`", "'")
	return r.Replace(s)
}

// WriteMarkdown writes report.md.
func (r *Report) WriteMarkdown(w io.Writer, sum Summary) error {
	var b strings.Builder
	b.WriteString("# wxaudit report\n\n")
	b.WriteString("## Runs\n\n| run | permissions | own requests | extends | source |\n|---|---|---|---|---|\n")
	for _, run := range r.Runs {
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s |\n", mdCell(run.Label), run.Permissions, run.Requests, mdCell(run.Extends), mdCell(run.Source))
	}
	for _, run := range r.Runs {
		d := run.Decryption
		if d == nil {
			continue
		}
		fmt.Fprintf(&b, "\n### Decryption of %s\n\n%d connections, %d records (%d encrypted, %d decrypted), %d payloads.\n",
			mdCell(run.Label), d.Connections, d.Records, d.RecordsEncrypted, d.RecordsDecrypted, d.Payloads)
		if nd := d.NotDecrypted(); len(nd) > 0 {
			b.WriteString("\nNot decrypted:\n\n")
			for _, x := range nd {
				fmt.Fprintf(&b, "- %s\n", mdCell(x))
			}
		} else {
			b.WriteString("\nEverything was decrypted.\n")
		}
		if d.Error != "" {
			fmt.Fprintf(&b, "\nThe capture ended early: %s\n", mdCell(d.Error))
		}
	}
	b.WriteString("\n## Data types per run\n\n")
	for _, rs := range sum.Runs {
		fmt.Fprintf(&b, "### %s (permissions %s, %d requests)\n\n", mdCell(rs.Run), rs.Permissions, rs.Requests)
		dts := r.DataTypes(rs.Run)
		if len(dts) == 0 {
			b.WriteString("No personal data found.\n\n")
			continue
		}
		b.WriteString("| data type | findings | features |\n|---|---|---|\n")
		for _, dt := range dts {
			var feats []string
			for f, m := range rs.Features {
				if m[dt] > 0 {
					feats = append(feats, f)
				}
			}
			sort.Strings(feats)
			fmt.Fprintf(&b, "| %s | %d | %s |\n", dt, rs.DataTypes[dt], strings.Join(feats, ", "))
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
		fmt.Fprintf(&b, "### %s\n\nRuns: %s. Received by: %s. Launches: %d, UI events: %d, searches: %d.\n\nReported through: %s.\n\n",
			mdCell(mp.AppID), mdCell(strings.Join(mp.Runs, ", ")), strings.Join(mp.Recipient, ", "), mp.Launches, mp.UIEvents, mp.Searches, mdCell(strings.Join(eps, ", ")))
		if len(mp.Pages) > 0 {
			b.WriteString("| page | run | time | stay (ms) | endpoint |\n|---|---|---|---|---|\n")
			for _, p := range mp.Pages {
				stay := ""
				if p.StayMS > 0 {
					stay = fmt.Sprint(p.StayMS)
				}
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdCell(p.Page), mdCell(p.Run), p.Time, stay, mdCell(p.Endpoint))
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("## Locations\n\n")
	if len(sum.Locations) == 0 {
		b.WriteString("No coordinates were sent.\n\n")
	} else {
		b.WriteString("| lat | lon | precision (m) | encoding | run | permissions | feature | request | finding |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, l := range sum.Locations {
			fmt.Fprintf(&b, "| %.5f | %.5f | %.0f | %s | %s | %s | %s | %s | %s |\n", l.Lat, l.Lon, l.PrecisionM, l.Encoding,
				mdCell(l.Run), l.Permissions, l.Feature, mdCell(reqKey(l.URI, l.ReqType)), l.Finding)
		}
		b.WriteString("\n")
	}
	if r.Policy != nil {
		fmt.Fprintf(&b, "## Policy: %s\n\n", mdCell(r.Policy.Title))
		if len(r.Policy.Gaps) == 0 {
			b.WriteString("No gaps.\n\n")
		}
		for _, g := range r.Policy.Gaps {
			fmt.Fprintf(&b, "- **%s**: %s", g.Kind, mdCell(g.Statement))
			if len(g.Findings) > 0 {
				n := min(len(g.Findings), 5)
				fmt.Fprintf(&b, " (evidence: %s)", strings.Join(g.Findings[:n], ", "))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("## Evidence (first finding of each data type per run)\n\n| finding | run | data type | confidence | request | field | value | rule |\n|---|---|---|---|---|---|---|---|\n")
	seen := map[string]bool{}
	for _, f := range r.Findings {
		k := f.Run + "\x00" + f.DataType
		if seen[k] {
			continue
		}
		seen[k] = true
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", f.ID, mdCell(f.Run), f.DataType, f.Confidence,
			mdCell(reqKey(f.URI, f.ReqType)), mdCell(f.Evidence.FieldPath), mdCell(f.Evidence.Value), mdCell(f.Evidence.Rule))
	}
	if len(r.Errors) > 0 {
		b.WriteString("\n## Errors\n\n")
		for _, e := range r.Errors {
			fmt.Fprintf(&b, "- %s\n", mdCell(e))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sortStrings(xs []string) { sort.Strings(xs) }
