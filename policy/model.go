// This file defines the policy model: what a privacy policy discloses, as
// written in the YAML format documented by schema.json.

package policy

import (
	"slices"
	"strings"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// Collecting entities a disclosure can name. They are compared with a flow's
// recipient by Model.entityCovers.
const (
	EntityFirstParty  = "first_party"           // the policy's own operator (Model.FirstParty recipients)
	EntityWeixin      = "weixin"                // the Weixin operator (Shenzhen Tencent)
	EntityMPDeveloper = "miniprogram_developer" // a Mini Program's developer
	EntityProvider    = "service_provider"      // a processor working for the operator
	EntityThirdParty  = "third_party"           // any third party: subsumes developers, providers, other
)

// Certainty of a clause: how sure the model's author is that the policy says
// this.
const (
	CertaintyHigh   = "high"   // quoted or closely paraphrased from the policy
	CertaintyMedium = "medium" // paraphrased from a reliable summary
	CertaintyLow    = "low"    // inferred; check the policy
)

// FeatureAny in a disclosure's features matches every feature.
const FeatureAny = "any"

// Features is the feature vocabulary of `wxaudit analyze`, defined by the
// catalog (taxonomy.Features).
var Features = taxonomy.Features

// Model is a privacy policy as a set of disclosures. Load one with
// LoadModel or Builtin; a loaded Model is valid and must not be modified
// while Evaluate uses it.
type Model struct {
	Name     string // short name used on the command line and in gaps, e.g. "wechat"
	Title    string // the policy's title
	Operator string // who publishes it (the controller)
	Version  string
	Date     string // YYYY-MM-DD of the version modelled
	URL      string
	Notes    string // what the model leaves out, how it was built

	AppliesTo AppliesTo

	// FirstParty lists the flow recipients that are this policy's own
	// operator: ["wechat"] for the WeChat policy, ["wechat", "weixin"] for
	// the Weixin guidelines.
	FirstParty []string

	Categories  []Category
	Disclosures []Disclosure
	Handoffs    []Handoff

	// cover maps a category or data type name to every data type it
	// covers, itself included; built by LoadModel.
	cover map[string]map[string]bool
	vague map[string]bool
}

// AppliesTo says to whom the policy applies.
type AppliesTo struct {
	Description string
	// PhoneCountryCodes: the policy applies to accounts registered with
	// one of these calling codes ("86"); "*" means any.
	PhoneCountryCodes []string
	// ExceptCountryCodes: codes it does not apply to.
	ExceptCountryCodes []string
}

// Category names a broader data category that subsumes narrower ones
// (data types or other categories).
type Category struct {
	Name     string
	Includes []string
	// Vague marks a category too broad to tell a reader what is collected
	// ("personal information"): a flow covered only through it is
	// ambiguous.
	Vague       bool
	Description string
	Line        int
}

// Clause locates the policy text a disclosure or hand-off comes from.
type Clause struct {
	Section string // section heading or number
	Text    string // a short quote or paraphrase
	// Source says where the model's author read it (a URL, a report).
	Source string
	// Certainty is one of the Certainty* constants.
	Certainty string
}

// Disclosure is one statement of the policy: these data types are collected
// by this entity during these features for this purpose.
type Disclosure struct {
	ID        string
	DataTypes []string // taxonomy names or category names
	Collector string   // one of the Entity* constants
	Features  []string // catalog features or FeatureAny
	Purpose   string
	// Permission names the permission or consent that gates collection
	// ("location"); empty when none.
	Permission string
	// Vague marks a statement too general to tell what is collected.
	Vague  bool
	Clause Clause
	Line   int // line in the model's YAML
}

// Handoff says the policy hands some features to another policy.
type Handoff struct {
	ID       string
	Features []string
	Policy   string // the other policy's model name, e.g. "weixin"
	Operator string // who operates the features
	Clause   Clause
	Line     int
}

// AppliesToCountry reports whether the policy applies to an account
// registered with the calling code cc ("86", "+86", "44").
func (m *Model) AppliesToCountry(cc string) bool {
	cc = strings.TrimPrefix(strings.TrimSpace(cc), "+")
	if slices.Contains(m.AppliesTo.ExceptCountryCodes, cc) {
		return false
	}
	return slices.Contains(m.AppliesTo.PhoneCountryCodes, "*") || slices.Contains(m.AppliesTo.PhoneCountryCodes, cc)
}

// Covers reports whether the data type or category name covers dataType,
// directly or through the category hierarchy.
func (m *Model) Covers(name, dataType string) bool {
	return m.cover[name][dataType]
}

// Disclosure returns the disclosure with the given ID, or nil.
func (m *Model) Disclosure(id string) *Disclosure {
	for i := range m.Disclosures {
		if m.Disclosures[i].ID == id {
			return &m.Disclosures[i]
		}
	}
	return nil
}

// handoffFor returns the hand-off covering feature, or nil.
func (m *Model) handoffFor(feature string) *Handoff {
	for i := range m.Handoffs {
		if slices.Contains(m.Handoffs[i].Features, feature) {
			return &m.Handoffs[i]
		}
	}
	return nil
}

// entityCovers reports whether a disclosure naming collector covers data
// sent to recipient.
func (m *Model) entityCovers(collector, recipient string) bool {
	first := slices.Contains(m.FirstParty, recipient)
	switch collector {
	case EntityFirstParty:
		return first
	case EntityWeixin:
		return recipient == taxonomy.RecipientWeixin
	case EntityMPDeveloper:
		return recipient == taxonomy.RecipientMPDeveloper
	case EntityProvider:
		return recipient == taxonomy.RecipientThirdParty
	case EntityThirdParty:
		return !first && recipient != taxonomy.RecipientWeixin
	}
	return false
}
