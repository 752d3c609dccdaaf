// This file implements the entity-sensitive comparison of observed flows
// with a model's disclosures, after PoliCheck (Andow et al., "Actions Speak
// Louder than Words: Entity-Sensitive Privacy Policy and Data Flow
// Analysis with PoliCheck", USENIX Security 2020): a flow is consistent only
// when a disclosure names its data type (or a broader category) AND its
// recipient; a disclosure for another collector makes it incorrect_entity.

package policy

import (
	"fmt"
	"github.com/wxaudit/wxaudit/report"
	"slices"
	"strings"

	"github.com/wxaudit/wxaudit/attribute"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// Verdict classes a flow against a policy.
type Verdict string

// The gap classes, from no gap to the worst.
const (
	// Consistent: a specific disclosure covers the data type, the
	// recipient, the feature and the run's permission state.
	Consistent Verdict = "consistent"
	// Ambiguous: only a vague disclosure covers it, or the run's
	// permission state is unknown for a permission-gated disclosure, or
	// the data could not be read.
	Ambiguous Verdict = "ambiguous"
	// GovernedElsewhere: the policy hands the flow's feature to
	// another policy (Search and Channels under the WeChat policy).
	GovernedElsewhere Verdict = "governed_elsewhere"
	// IncorrectEntity: the data type is disclosed only for another
	// collector (Mini Program usage disclosed for the developer, received
	// by WeChat).
	IncorrectEntity Verdict = "incorrect_entity"
	// Omitted: no disclosure covers the flow, including a
	// permission-gated one when the run had permissions off.
	Omitted Verdict = "omitted"
)

// Verdicts lists every Verdict, from no gap to the worst.
var Verdicts = []Verdict{Consistent, Ambiguous, GovernedElsewhere, IncorrectEntity, Omitted}

func (k Verdict) rank() int {
	if i := slices.Index(Verdicts, k); i >= 0 {
		return i
	}
	return len(Verdicts)
}

// IsGap reports whether the verdict is anything but consistent.
func (k Verdict) IsGap() bool { return k != Consistent }

// Gap is the verdict on one flow. Its JSON form is one line of gaps.jsonl.
type Gap struct {
	Verdict     Verdict `json:"kind"`
	DataType    string  `json:"data_type"`
	Feature     string  `json:"feature"`
	Recipient   string  `json:"recipient"`
	Run         string  `json:"run"`
	Permissions string  `json:"permissions"` // the run's permission state: on, off, unknown
	Subject     string  `json:"subject,omitempty"`

	Policy      string `json:"policy"`                // the model evaluated against
	Clause      string `json:"clause"`                // disclosure or hand-off ID; "" when none applies
	Section     string `json:"section,omitempty"`     // the clause's section
	ClauseText  string `json:"clause_text,omitempty"` // its quote or paraphrase
	Certainty   string `json:"certainty,omitempty"`   // how sure the model is of the clause
	Gate        string `json:"gate,omitempty"`        // the permission the clause requires, if any
	GovernedBy  string `json:"governed_by,omitempty"` // governed_elsewhere: the other policy
	Explanation string `json:"explanation"`           // plain words a journalist can quote

	// Elsewhere is how the other policy classes the flow, for
	// governed_elsewhere gaps when Options.FollowHandoffs is set and the
	// other model resolves.
	Elsewhere *OtherVerdict `json:"elsewhere,omitempty"`

	Evidence []string `json:"evidence"` // finding IDs (findings.jsonl)
	// Packed holds the finding IDs instead of Evidence when the flow had
	// them packed (FlowSet.PackedFlows).
	Packed   *report.FindingIDs `json:"-"`
	URIs     []string           `json:"uris,omitempty"`
	ReqTypes []int              `json:"req_types,omitempty"`
	Examples []Evidence         `json:"examples,omitempty"`
}

// OtherVerdict is a short classification under another policy.
type OtherVerdict struct {
	Policy  string  `json:"policy"`
	Verdict Verdict `json:"kind"`
	Clause  string  `json:"clause,omitempty"`
}

// Options controls Evaluate.
type Options struct {
	// OmitConsistent drops consistent flows from the result.
	OmitConsistent bool
	// FollowHandoffs evaluates governed_elsewhere flows under the other
	// policy too (one level) and records it in Gap.Elsewhere.
	FollowHandoffs bool
	// Resolve finds another policy's model by name for FollowHandoffs;
	// nil means Builtin.
	Resolve func(name string) (*Model, error)
}

// Evaluate classes every flow against m and returns one Gap per flow (minus
// consistent ones with OmitConsistent), sorted from the worst verdict to
// consistent, then by feature, data type, recipient and run. It does no
// I/O and does not modify flows; the gaps share the flows' slices.
func Evaluate(m *Model, flows []Flow, opts Options) []Gap {
	gaps := make([]Gap, 0, len(flows))
	var resolved map[string]*Model
	for i := range flows {
		fl := &flows[i]
		g := evaluateFlow(m, fl)
		if g.Verdict == GovernedElsewhere && opts.FollowHandoffs {
			if resolved == nil {
				resolved = map[string]*Model{}
			}
			om, ok := resolved[g.GovernedBy]
			if !ok {
				resolve := opts.Resolve
				if resolve == nil {
					resolve = Builtin
				}
				om, _ = resolve(g.GovernedBy)
				resolved[g.GovernedBy] = om
			}
			if om != nil && om != m {
				og := evaluateFlow(om, fl)
				g.Elsewhere = &OtherVerdict{Policy: om.Name, Verdict: og.Verdict, Clause: og.Clause}
				g.Explanation += " " + elsewhereSentence(om, og)
			}
		}
		if opts.OmitConsistent && g.Verdict == Consistent {
			continue
		}
		gaps = append(gaps, g)
	}
	// Sort indices, not the large Gap values.
	idx := make([]int, len(gaps))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		a, b := &gaps[i], &gaps[j]
		if c := b.Verdict.rank() - a.Verdict.rank(); c != 0 {
			return c
		}
		if c := strings.Compare(a.Feature, b.Feature); c != 0 {
			return c
		}
		if c := strings.Compare(a.DataType, b.DataType); c != 0 {
			return c
		}
		if c := strings.Compare(a.Recipient, b.Recipient); c != 0 {
			return c
		}
		return strings.Compare(a.Run, b.Run)
	})
	sorted := make([]Gap, len(gaps))
	for i, j := range idx {
		sorted[i] = gaps[j]
	}
	return sorted
}

// evaluateFlow is Evaluate for one flow, without following hand-offs.
func evaluateFlow(m *Model, fl *Flow) Gap {
	perm := fl.Permissions
	if perm != taxonomy.PermOn && perm != taxonomy.PermOff && !strings.Contains(perm, "=") {
		perm = taxonomy.PermUnknown
	}
	g := Gap{
		DataType: fl.DataType, Feature: fl.Feature, Recipient: fl.Recipient, Run: fl.Run,
		Permissions: perm, Subject: fl.Subject, Policy: m.Name,
		Evidence: fl.FindingIDs, Packed: fl.Packed, URIs: fl.URIs, ReqTypes: fl.ReqTypes, Examples: fl.Examples,
	}
	if h := m.handoffFor(fl.Feature); h != nil {
		g.Verdict = GovernedElsewhere
		g.GovernedBy = h.Policy
		g.setClause(h.ID, h.Clause, "")
		g.Explanation = explainHandoff(m, fl, h, perm)
		return g
	}
	var (
		precise, vague, permUnknown, permBlocked *Disclosure
		otherFeature, wrongEntity                *Disclosure
		wrongScore                               int
	)
	// Background report batches (telemetry, other) carry events of other
	// features; the feature a flow's data belongs to, when the data itself
	// says so, is its home: Mini Program data is Mini Program data in
	// whatever batch it travels.
	home := homeFeature(fl)
	for i := range m.Disclosures {
		d := &m.Disclosures[i]
		if !m.disclosureCovers(d, fl.DataType) {
			continue
		}
		named := slices.Contains(d.Features, fl.Feature)
		featOK := named || slices.Contains(d.Features, FeatureAny)
		specific := !d.Vague && !m.onlyVague(d, fl.DataType)
		if !m.entityCovers(d.Collector, fl.Recipient) {
			// A vague statement about others says nothing about who
			// does not collect, so it never makes an incorrect_entity.
			if !specific {
				continue
			}
			// The disclosure that best explains the mismatch names the
			// flow's feature (or its home feature).
			score := 0
			switch {
			case named:
				score = 3
			case home != "" && slices.Contains(d.Features, home):
				score = 3
			case featOK:
				score = 1
			}
			if score > wrongScore {
				wrongEntity, wrongScore = d, score
			}
			continue
		}
		if !featOK {
			if specific {
				otherFeature = firstOf(otherFeature, d)
			}
			continue
		}
		if gate := attribute.PermissionState(perm, d.Permission); d.Permission != "" && gate != taxonomy.PermOn {
			if gate == taxonomy.PermOff {
				permBlocked = firstOf(permBlocked, d)
			} else {
				permUnknown = firstOf(permUnknown, d)
			}
			continue
		}
		if !specific {
			vague = firstOf(vague, d)
			continue
		}
		precise = d
		break
	}
	why := reasonNone
	cite := func(d *Disclosure) { g.setClause(d.ID, d.Clause, d.Permission) }
	switch {
	case precise != nil:
		g.Verdict = Consistent
		cite(precise)
	case vague != nil:
		g.Verdict, why = Ambiguous, reasonVague
		cite(vague)
	case permUnknown != nil:
		g.Verdict, why = Ambiguous, reasonPermUnknown
		cite(permUnknown)
	case fl.DataType == string(taxonomy.OpaqueEncryptedBlob):
		g.Verdict, why = Ambiguous, reasonOpaque
	case permBlocked != nil:
		// The right collector in the right feature, but only with a
		// permission the run did not have: that clause is the one to
		// cite, whatever other collectors the policy names.
		g.Verdict, why = Omitted, reasonPermOff
		cite(permBlocked)
	case wrongEntity != nil && (wrongScore == 3 || otherFeature == nil):
		// Another collector is named for this very feature (the Mini
		// Program developer), or the policy names only other
		// collectors for this data.
		g.Verdict, why = IncorrectEntity, reasonEntity
		cite(wrongEntity)
	case otherFeature != nil:
		// The recipient is disclosed to collect this data, but only
		// during other features: a context gap, not an entity one.
		g.Verdict, why = Omitted, reasonOtherFeature
		cite(otherFeature)
	default:
		g.Verdict = Omitted
	}
	g.Explanation = explain(m, fl, &g, perm, why)
	return g
}

// reason says why a flow got its verdict, for the explanation.
type reason uint8

const (
	reasonNone reason = iota
	reasonVague
	reasonPermUnknown
	reasonOpaque
	reasonPermOff
	reasonEntity
	reasonOtherFeature
)

// homeFeature returns the feature a flow's data belongs to when the data
// says so: Mini Program identifiers and pages, or a Mini Program appid as
// the subject, belong to miniprograms. It returns "" otherwise.
func homeFeature(fl *Flow) string {
	switch fl.DataType {
	case string(taxonomy.MiniProgramID), string(taxonomy.MiniProgramPagePath):
		return taxonomy.FeatureMiniPrograms
	}
	for _, s := range strings.Split(fl.Subject, ",") {
		if isAppID(s) {
			return taxonomy.FeatureMiniPrograms
		}
	}
	return ""
}

// isAppID reports whether s looks like a Mini Program appid: "wx" and 16
// lowercase hex digits.
func isAppID(s string) bool {
	if len(s) != 18 || !strings.HasPrefix(s, "wx") {
		return false
	}
	for _, c := range s[2:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func firstOf(a, b *Disclosure) *Disclosure {
	if a != nil {
		return a
	}
	return b
}

func (g *Gap) setClause(id string, c Clause, gate string) {
	g.Clause = id
	g.Section = c.Section
	g.ClauseText = c.Text
	g.Certainty = c.Certainty
	g.Gate = gate
}

// disclosureCovers reports whether one of d's data types or categories
// covers dataType.
func (m *Model) disclosureCovers(d *Disclosure, dataType string) bool {
	for _, n := range d.DataTypes {
		if m.cover[n][dataType] {
			return true
		}
	}
	return false
}

// onlyVague reports whether every name of d that covers dataType is a vague
// category.
func (m *Model) onlyVague(d *Disclosure, dataType string) bool {
	for _, n := range d.DataTypes {
		if m.cover[n][dataType] && !m.vague[n] {
			return false
		}
	}
	return true
}

// explain writes the plain-words sentence of a gap.
func explain(m *Model, fl *Flow, g *Gap, perm string, why reason) string {
	var b strings.Builder
	b.WriteString(observed(fl, perm))
	title := m.title()
	switch why {
	case reasonNone:
		if g.Verdict == Consistent {
			fmt.Fprintf(&b, " The %s discloses this%s.", title, cite(g))
		} else {
			fmt.Fprintf(&b, " No statement in the %s covers it.", title)
		}
	case reasonOpaque:
		fmt.Fprintf(&b, " wxaudit could not read this data, so it cannot say whether the %s covers it.", title)
	case reasonPermUnknown:
		fmt.Fprintf(&b, " The %s discloses this only with the %s permission%s, and the run's permission state is unknown.", title, g.Gate, cite(g))
	case reasonVague:
		fmt.Fprintf(&b, " Only a vague statement of the %s covers it%s; it does not tell a reader that this data is collected.", title, cite(g))
	case reasonEntity:
		d := m.Disclosure(g.Clause)
		fmt.Fprintf(&b, " The %s mentions this data only as collected by %s%s, not by %s.", title, entityPhrase(d.Collector), cite(g), collectorPhrase(fl.Recipient))
	case reasonPermOff:
		fmt.Fprintf(&b, " The %s discloses this only with the %s permission%s, but the run had permissions off.", title, g.Gate, cite(g))
	case reasonOtherFeature:
		d := m.Disclosure(g.Clause)
		fs := make([]string, len(d.Features))
		for i, f := range d.Features {
			fs[i] = featurePhrase(f)
		}
		fmt.Fprintf(&b, " The %s discloses this only during %s%s, not during %s.", title, strings.Join(fs, ", "), cite(g), featurePhrase(fl.Feature))
	}
	return b.String()
}

func explainHandoff(m *Model, fl *Flow, h *Handoff, perm string) string {
	var b strings.Builder
	b.WriteString(observed(fl, perm))
	other := h.Policy
	if bm, err := Builtin(h.Policy); err == nil {
		other = "the " + bm.Title
	}
	op := ""
	if h.Operator != "" {
		op = " operated by " + h.Operator
	}
	fmt.Fprintf(&b, " The %s treats %s as a service%s and leaves it to %s%s", m.title(), featurePhrase(fl.Feature), op, other, citeClause(h.Clause))
	if bm, err := Builtin(h.Policy); err == nil && bm.AppliesTo.Description != "" && !m.sameAudience(bm) {
		fmt.Fprintf(&b, ", written for %s", bm.AppliesTo.Description)
	}
	b.WriteString(".")
	return b.String()
}

func elsewhereSentence(om *Model, og Gap) string {
	switch og.Verdict {
	case Consistent:
		return fmt.Sprintf("Under the %s the flow is disclosed (%s).", om.title(), og.Clause)
	case Ambiguous:
		return fmt.Sprintf("Under the %s only a vague statement covers it.", om.title())
	case IncorrectEntity:
		return fmt.Sprintf("Under the %s it is disclosed only for another collector.", om.title())
	case GovernedElsewhere:
		return fmt.Sprintf("The %s hands it on again, to %s.", om.title(), og.GovernedBy)
	}
	return fmt.Sprintf("The %s does not cover it either.", om.title())
}

func (m *Model) title() string {
	if m.Title != "" {
		return m.Title
	}
	return m.Name + " policy"
}

func (m *Model) sameAudience(o *Model) bool {
	return slices.Equal(m.AppliesTo.PhoneCountryCodes, o.AppliesTo.PhoneCountryCodes) &&
		slices.Equal(m.AppliesTo.ExceptCountryCodes, o.AppliesTo.ExceptCountryCodes)
}

// observed is the first sentence: what was sent, to whom, when.
func observed(fl *Flow, perm string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "During %s, WeChat sent %s to %s", featurePhrase(fl.Feature), DataTypePhrase(fl.DataType), recipientPhrase(fl.Recipient))
	if fl.Subject != "" {
		fmt.Fprintf(&b, " (about %s)", truncate(fl.Subject, 120))
	}
	n := fl.Findings()
	fmt.Fprintf(&b, " in %d finding%s", n, plural(n))
	if len(fl.ReqTypes) > 0 || len(fl.URIs) > 0 {
		b.WriteString(" from ")
		b.WriteString(requestsPhrase(fl))
	}
	run := fl.Run
	if run == "" {
		run = "unlabelled"
	}
	fmt.Fprintf(&b, " (run %q, permissions %s).", run, perm)
	return b.String()
}

func requestsPhrase(fl *Flow) string {
	var parts []string
	for i, u := range fl.URIs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("%d more", len(fl.URIs)-3))
			break
		}
		parts = append(parts, u)
	}
	if len(parts) == 0 {
		for _, t := range fl.ReqTypes {
			parts = append(parts, fmt.Sprintf("request type %d", t))
		}
		if len(parts) > 3 {
			parts = append(parts[:3], fmt.Sprintf("%d more", len(fl.ReqTypes)-3))
		}
	}
	return strings.Join(parts, ", ")
}

func cite(g *Gap) string {
	return citeClause(Clause{Section: g.Section, Text: g.ClauseText})
}

func citeClause(c Clause) string {
	switch {
	case c.Section != "" && c.Text != "":
		return fmt.Sprintf(" (%s: %q)", c.Section, c.Text)
	case c.Section != "":
		return " (" + c.Section + ")"
	case c.Text != "":
		return fmt.Sprintf(" (%q)", c.Text)
	}
	return ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// DataTypePhrase words a data type for a sentence (taxonomy's table).
func DataTypePhrase(dt string) string { return taxonomy.DataTypePhrase(dt) }

func featurePhrase(f string) string { return taxonomy.FeaturePhrase(f) }

func recipientPhrase(r string) string {
	switch r {
	case taxonomy.RecipientWeChat:
		return "WeChat's own servers"
	case taxonomy.RecipientWeixin:
		return "a service operated by Weixin"
	case taxonomy.RecipientMPDeveloper:
		return "the Mini Program's developer"
	case taxonomy.RecipientThirdParty:
		return "a third party"
	}
	return "another server"
}

// collectorPhrase names a recipient as the one who collects.
func collectorPhrase(r string) string {
	switch r {
	case taxonomy.RecipientWeChat:
		return "WeChat itself"
	case taxonomy.RecipientWeixin:
		return "Weixin"
	}
	return recipientPhrase(r)
}

func entityPhrase(e string) string {
	switch e {
	case EntityFirstParty:
		return "the policy's operator"
	case EntityWeixin:
		return "Weixin"
	case EntityMPDeveloper:
		return "the Mini Program's developer"
	case EntityProvider:
		return "service providers"
	case EntityThirdParty:
		return "third parties"
	}
	return e
}
