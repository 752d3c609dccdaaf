// This file renders a model clause by clause, for `wxaudit policy show`.

package policy

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteModel writes what the model says, clause by clause, as plain text:
// its header, each disclosure with the data types its categories expand
// to, and each hand-off.
func WriteModel(w io.Writer, m *Model) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s (model %s)\n", m.title(), m.Name)
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(bw, "  %-12s %s\n", k+":", v)
		}
	}
	field("operator", m.Operator)
	field("version", m.Version)
	field("date", m.Date)
	field("url", m.URL)
	codes := strings.Join(m.AppliesTo.PhoneCountryCodes, ", ")
	if len(m.AppliesTo.ExceptCountryCodes) > 0 {
		codes += " except " + strings.Join(m.AppliesTo.ExceptCountryCodes, ", ")
	}
	field("applies to", m.AppliesTo.Description)
	field("codes", codes)
	field("first party", strings.Join(m.FirstParty, ", "))
	field("notes", m.Notes)
	fmt.Fprintf(bw, "\nDisclosures (%d)\n", len(m.Disclosures))
	for i := range m.Disclosures {
		d := &m.Disclosures[i]
		fmt.Fprintf(bw, "\n  %s  [certainty %s]\n", d.ID, d.Clause.Certainty)
		f := func(k, v string) {
			if v != "" {
				fmt.Fprintf(bw, "    %-10s %s\n", k+":", v)
			}
		}
		f("collects", m.expand(d.DataTypes))
		f("by", d.Collector)
		f("during", strings.Join(d.Features, ", "))
		f("purpose", d.Purpose)
		if d.Permission != "" {
			f("gated by", "the "+d.Permission+" permission")
		}
		if d.Vague {
			f("vague", "yes: flows covered only by this clause are ambiguous")
		}
		f("clause", d.Clause.Section+": "+fmt.Sprintf("%q", d.Clause.Text))
		f("source", d.Clause.Source)
	}
	if len(m.Handoffs) > 0 {
		fmt.Fprintf(bw, "\nHand-offs (%d)\n", len(m.Handoffs))
		for i := range m.Handoffs {
			h := &m.Handoffs[i]
			fmt.Fprintf(bw, "\n  %s  [certainty %s]\n", h.ID, h.Clause.Certainty)
			fmt.Fprintf(bw, "    %-10s %s\n", "features:", strings.Join(h.Features, ", "))
			fmt.Fprintf(bw, "    %-10s %s\n", "governed:", "by policy "+h.Policy)
			if h.Operator != "" {
				fmt.Fprintf(bw, "    %-10s %s\n", "operator:", h.Operator)
			}
			fmt.Fprintf(bw, "    %-10s %s: %q\n", "clause:", h.Clause.Section, h.Clause.Text)
			fmt.Fprintf(bw, "    %-10s %s\n", "source:", h.Clause.Source)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	return nil
}

// expand writes data-type names with the types a category covers:
// "device_information (device_id, os_version, …)".
func (m *Model) expand(names []string) string {
	parts := make([]string, 0, len(names))
	for _, n := range names {
		if slices.Contains(dataTypes, n) {
			parts = append(parts, n)
			continue
		}
		var types []string
		for _, t := range dataTypes {
			if m.cover[n][t] {
				types = append(types, t)
			}
		}
		if len(types) == len(dataTypes) {
			parts = append(parts, n+" (every data type)")
			continue
		}
		parts = append(parts, n+" ("+strings.Join(types, ", ")+")")
	}
	return strings.Join(parts, "; ")
}
