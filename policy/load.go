// This file loads and validates a policy model from YAML (the format of
// schema.json). The YAML is walked node by node so that every problem is
// reported with the line it is on.

package policy

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/wxaudit/wxaudit/internal/lazyre"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// Bounds on a model: its YAML size, the number of problems reported, and
// list lengths, so a hostile file cannot make loading expensive.
const (
	maxModelBytes = 4 << 20
	maxProblems   = 20
	maxListLen    = 10_000
)

// ValidationError is one problem in a model, with its position. LoadModel
// returns them joined (errors.Join); use errors.As to get the first.
type ValidationError struct {
	Name string // the model's file or builtin name
	Line int    // 1-based; 0 when the problem has no position
	Msg  string
}

func (e *ValidationError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("policy: %s:%d: %s", e.Name, e.Line, e.Msg)
	}
	return fmt.Sprintf("policy: %s: %s", e.Name, e.Msg)
}

var (
	nameRE = lazyre.New(`^[a-z0-9][a-z0-9_.-]{0,63}$`)
	dateRE = lazyre.New(`^\d{4}(-\d{2}(-\d{2})?)?$`)
	ccRE   = lazyre.New(`^(\*|\d{1,4})$`)
)

// loader walks one YAML document and collects problems.
type loader struct {
	name     string
	problems []error
}

func (l *loader) bad(line int, format string, args ...any) {
	if len(l.problems) == maxProblems {
		l.problems = append(l.problems, &ValidationError{Name: l.name, Line: line, Msg: "too many problems; stopping"})
	}
	if len(l.problems) > maxProblems {
		return
	}
	l.problems = append(l.problems, &ValidationError{Name: l.name, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// LoadModel reads a policy model from YAML and validates it. name labels
// error messages (a file name). Every problem is a *ValidationError naming
// its line; several are joined with errors.Join. On error the model is nil.
func LoadModel(r io.Reader, name string) (*Model, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxModelBytes+1))
	if err != nil {
		return nil, fmt.Errorf("policy: %s: %w", name, err)
	}
	if len(b) > maxModelBytes {
		return nil, &ValidationError{Name: name, Msg: fmt.Sprintf("model larger than %d bytes", maxModelBytes)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, &ValidationError{Name: name, Line: yamlErrLine(err, b), Msg: "bad YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	l := &loader{name: name}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &ValidationError{Name: name, Line: 1, Msg: "empty model"}
	}
	m := l.model(doc.Content[0])
	if len(l.problems) > 0 {
		// Report in file order, the order a user fixes them in.
		slices.SortStableFunc(l.problems, func(a, b error) int {
			return a.(*ValidationError).Line - b.(*ValidationError).Line
		})
		return nil, errors.Join(l.problems...)
	}
	return m, nil
}

var (
	yamlLineRE   = lazyre.New(`line (\d+)`)
	yamlAnchorRE = lazyre.New(`unknown anchor '([^']*)' referenced`)
)

// yamlErrLine finds the line of a yaml.v3 error: in its message, or, for an
// unknown anchor (reported without one), the first line using the alias.
func yamlErrLine(err error, src []byte) int {
	if s := yamlAnchorRE.FindStringSubmatch(err.Error()); s != nil {
		for i, ln := range strings.Split(string(src), "\n") {
			if strings.Contains(ln, "*"+s[1]) {
				return i + 1
			}
		}
	}
	if s := yamlLineRE.FindStringSubmatch(err.Error()); s != nil {
		n := 0
		for _, c := range s[1] {
			if n > 1e8 {
				break
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	return 0
}

// fields returns the keys of a mapping node in order, checking that they
// are known, unique scalars, and that required ones are present.
func (l *loader) fields(n *yaml.Node, what string, known, required []string) map[string]*yaml.Node {
	if n.Kind == yaml.AliasNode {
		l.bad(n.Line, "%s: aliases are not allowed", what)
		return nil
	}
	if n.Kind != yaml.MappingNode {
		l.bad(n.Line, "%s must be a mapping, not %s", what, kindName(n))
		return nil
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			l.bad(k.Line, "%s: keys must be plain words", what)
			continue
		}
		if !slices.Contains(known, k.Value) {
			l.bad(k.Line, "%s: unknown field %q (known: %s)", what, k.Value, strings.Join(known, ", "))
			continue
		}
		if _, dup := out[k.Value]; dup {
			l.bad(k.Line, "%s: field %q given twice", what, k.Value)
			continue
		}
		out[k.Value] = v
	}
	for _, r := range required {
		if _, ok := out[r]; !ok {
			l.bad(n.Line, "%s: missing required field %q", what, r)
		}
	}
	return out
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", truncate(n.Value, 40))
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

// str returns a scalar string field; "" when absent.
func (l *loader) str(f map[string]*yaml.Node, key, what string) string {
	n, ok := f[key]
	if !ok {
		return ""
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.bad(n.Line, "%s: %s must be text, not %s", what, key, kindName(n))
		return ""
	}
	return n.Value
}

func (l *loader) boolean(f map[string]*yaml.Node, key, what string) bool {
	n, ok := f[key]
	if !ok {
		return false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		l.bad(n.Line, "%s: %s must be true or false, not %s", what, key, kindName(n))
		return false
	}
	return n.Value == "true"
}

// list returns a list of scalars; a single scalar is accepted as a list of
// one.
func (l *loader) list(f map[string]*yaml.Node, key, what string) []string {
	n, ok := f[key]
	if !ok {
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		l.bad(n.Line, "%s: %s must be a list, not %s", what, key, kindName(n))
		return nil
	}
	if len(n.Content) > maxListLen {
		l.bad(n.Line, "%s: %s has more than %d items", what, key, maxListLen)
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode || c.Tag == "!!null" {
			l.bad(c.Line, "%s: %s items must be text, not %s", what, key, kindName(c))
			continue
		}
		out = append(out, c.Value)
	}
	return out
}

func (l *loader) seq(f map[string]*yaml.Node, key string) []*yaml.Node {
	n, ok := f[key]
	if !ok {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		l.bad(n.Line, "%s must be a list, not %s", key, kindName(n))
		return nil
	}
	if len(n.Content) > maxListLen {
		l.bad(n.Line, "%s has more than %d items", key, maxListLen)
		return nil
	}
	return n.Content
}

func (l *loader) line(f map[string]*yaml.Node, key string, def int) int {
	if n, ok := f[key]; ok {
		return n.Line
	}
	return def
}

// model reads a whole model document, one step per part: its identity,
// whom it applies to, its first parties, its categories, then its
// disclosures and handoffs, whose ids share one namespace. Problems are
// recorded on l in document order; the result is nil only when the root
// is not a mapping.
func (l *loader) model(root *yaml.Node) *Model {
	f := l.fields(root, "model", []string{"name", "title", "operator", "version", "date", "url", "notes", "applies_to", "first_party", "categories", "disclosures", "handoffs"},
		[]string{"name", "title", "operator", "version", "date", "applies_to", "first_party", "disclosures"})
	if f == nil {
		return nil
	}
	m := l.identity(f)
	if a, ok := f["applies_to"]; ok {
		m.AppliesTo = l.appliesTo(a)
	}
	m.FirstParty = l.firstParty(f)
	l.categories(f, m)
	ids := idSet{}
	m.Disclosures = l.disclosures(f, m, ids)
	m.Handoffs = l.handoffs(f, m, ids)
	return m
}

// identity reads the model's name, title, operator, version, date, URL
// and notes, checking the name and date forms.
func (l *loader) identity(f map[string]*yaml.Node) *Model {
	m := &Model{
		Name: l.str(f, "name", "model"), Title: l.str(f, "title", "model"), Operator: l.str(f, "operator", "model"),
		Version: l.str(f, "version", "model"), Date: l.str(f, "date", "model"), URL: l.str(f, "url", "model"),
		Notes: l.str(f, "notes", "model"),
	}
	if _, ok := f["name"]; ok && !nameRE.MatchString(m.Name) {
		l.bad(f["name"].Line, "model: name %q must be lowercase letters, digits, '_', '-' or '.'", m.Name)
	}
	if _, ok := f["date"]; ok && m.Date != "" && !dateRE.MatchString(m.Date) {
		l.bad(f["date"].Line, "model: date %q must be YYYY, YYYY-MM or YYYY-MM-DD", m.Date)
	}
	return m
}

// appliesTo reads applies_to: a description and the phone calling codes
// the policy covers or excludes, each checked.
func (l *loader) appliesTo(a *yaml.Node) AppliesTo {
	var at AppliesTo
	af := l.fields(a, "applies_to", []string{"description", "phone_country_codes", "except_country_codes"}, []string{"description"})
	if af == nil {
		return at
	}
	at.Description = l.str(af, "description", "applies_to")
	at.PhoneCountryCodes = l.list(af, "phone_country_codes", "applies_to")
	at.ExceptCountryCodes = l.list(af, "except_country_codes", "applies_to")
	for _, kv := range []struct {
		k   string
		ccs []string
	}{{"phone_country_codes", at.PhoneCountryCodes}, {"except_country_codes", at.ExceptCountryCodes}} {
		for _, cc := range kv.ccs {
			if !ccRE.MatchString(cc) {
				l.bad(af[kv.k].Line, "applies_to: %s: %q is not a calling code such as \"86\" or \"*\"", kv.k, cc)
			}
		}
	}
	return at
}

// firstParty reads first_party: one or more of the recipients wechat and
// weixin.
func (l *loader) firstParty(f map[string]*yaml.Node) []string {
	fp := l.list(f, "first_party", "model")
	for _, r := range fp {
		if !slices.Contains([]string{taxonomy.RecipientWeChat, taxonomy.RecipientWeixin}, r) {
			l.bad(l.line(f, "first_party", 0), "model: first_party: unknown recipient %q (want wechat or weixin)", r)
		}
	}
	if _, ok := f["first_party"]; ok && len(fp) == 0 {
		l.bad(f["first_party"].Line, "model: first_party must name at least one recipient")
	}
	return fp
}

// categories sets m.Categories to the built-in categories followed by the
// model's own, and builds the data-type cover and vagueness they imply.
func (l *loader) categories(f map[string]*yaml.Node, m *Model) {
	m.Categories = builtinCategories()
	for _, cn := range l.seq(f, "categories") {
		if c, ok := l.category(cn, m.Categories); ok {
			m.Categories = append(m.Categories, c)
		}
	}
	m.cover, m.vague = buildCover(m.Categories, func(c *Category, msg string) {
		line := c.Line
		if line == 0 {
			line = l.line(f, "categories", 0)
		}
		l.bad(line, "%s", msg)
	})
}

// category reads one model category, checking its name against the
// taxonomy's data types and the categories before it. It returns false
// when the node is not a mapping.
func (l *loader) category(cn *yaml.Node, before []Category) (Category, bool) {
	cf := l.fields(cn, "category", []string{"name", "includes", "vague", "description"}, []string{"name", "includes"})
	if cf == nil {
		return Category{}, false
	}
	c := Category{Name: l.str(cf, "name", "category"), Includes: l.list(cf, "includes", "category"),
		Vague: l.boolean(cf, "vague", "category"), Description: l.str(cf, "description", "category"), Line: cn.Line}
	what := fmt.Sprintf("category %q", c.Name)
	switch {
	case !nameRE.MatchString(c.Name):
		l.bad(l.line(cf, "name", cn.Line), "category: name %q must be lowercase letters, digits, '_', '-' or '.'", c.Name)
	case slices.Contains(dataTypes, c.Name):
		l.bad(l.line(cf, "name", cn.Line), "%s: name is a data type of the taxonomy", what)
	case slices.ContainsFunc(before, func(o Category) bool { return o.Name == c.Name }):
		l.bad(l.line(cf, "name", cn.Line), "%s: defined twice (or redefines a built-in category)", what)
	}
	if _, ok := cf["includes"]; ok && len(c.Includes) == 0 {
		l.bad(cf["includes"].Line, "%s: includes is empty", what)
	}
	return c, true
}

// idSet holds the disclosure and handoff ids seen so far, with their
// lines: the two share one namespace.
type idSet map[string]int

// checkID records id, reporting a malformed or repeated one.
func (l *loader) checkID(ids idSet, id string, line int, what string) {
	if !nameRE.MatchString(id) {
		l.bad(line, "%s: id %q must be lowercase letters, digits, '_', '-' or '.'", what, id)
		return
	}
	if prev, dup := ids[id]; dup {
		l.bad(line, "%s: id %q already used on line %d", what, id, prev)
		return
	}
	ids[id] = line
}

// disclosures reads the model's disclosures (at least one), each checked
// against m's categories.
func (l *loader) disclosures(f map[string]*yaml.Node, m *Model, ids idSet) []Disclosure {
	dnodes := l.seq(f, "disclosures")
	if n, ok := f["disclosures"]; ok && n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		l.bad(n.Line, "model: disclosures is empty")
	}
	var ds []Disclosure
	for i, dn := range dnodes {
		if d, ok := l.disclosure(dn, i, m, ids); ok {
			ds = append(ds, d)
		}
	}
	return ds
}

// disclosure reads the i-th disclosure: its id, the data types or
// categories it names (known to m), its collector, features, purpose,
// permission and clause. It returns false when the node is not a mapping.
func (l *loader) disclosure(dn *yaml.Node, i int, m *Model, ids idSet) (Disclosure, bool) {
	df := l.fields(dn, fmt.Sprintf("disclosure %d", i+1),
		[]string{"id", "data_types", "collector", "features", "purpose", "permission", "vague", "clause"},
		[]string{"id", "data_types", "collector", "features", "clause"})
	if df == nil {
		return Disclosure{}, false
	}
	d := Disclosure{ID: l.str(df, "id", "disclosure"), Line: dn.Line}
	what := fmt.Sprintf("disclosure %q", d.ID)
	if _, ok := df["id"]; ok {
		l.checkID(ids, d.ID, df["id"].Line, "disclosure")
	}
	d.DataTypes = l.list(df, "data_types", what)
	d.Collector = l.str(df, "collector", what)
	d.Features = l.list(df, "features", what)
	d.Purpose = l.str(df, "purpose", what)
	d.Permission = l.str(df, "permission", what)
	d.Vague = l.boolean(df, "vague", what)
	if _, ok := df["data_types"]; ok && len(d.DataTypes) == 0 {
		l.bad(df["data_types"].Line, "%s: data_types is empty", what)
	}
	for _, t := range d.DataTypes {
		if m.cover[t] == nil {
			l.bad(df["data_types"].Line, "%s: unknown data type or category %q", what, t)
		}
	}
	if _, ok := df["collector"]; ok && !slices.Contains([]string{EntityFirstParty, EntityWeixin, EntityMPDeveloper, EntityProvider, EntityThirdParty}, d.Collector) {
		l.bad(df["collector"].Line, "%s: unknown collector %q (want first_party, weixin, miniprogram_developer, service_provider or third_party)", what, d.Collector)
	}
	l.checkFeatures(df, what, d.Features, true)
	if _, ok := df["permission"]; ok && d.Permission == "" {
		l.bad(df["permission"].Line, "%s: permission is empty (leave it out when none gates collection)", what)
	}
	if cn, ok := df["clause"]; ok {
		d.Clause = l.clause(cn, what)
	}
	return d, true
}

// handoffs reads the model's handoffs: features whose data another
// policy governs. A feature is handed off at most once, and never to the
// model's own policy.
func (l *loader) handoffs(f map[string]*yaml.Node, m *Model, ids idSet) []Handoff {
	var hs []Handoff
	handed := map[string]int{}
	for _, hn := range l.seq(f, "handoffs") {
		hf := l.fields(hn, "handoff", []string{"id", "features", "policy", "operator", "clause"}, []string{"id", "features", "policy", "clause"})
		if hf == nil {
			continue
		}
		h := Handoff{ID: l.str(hf, "id", "handoff"), Policy: l.str(hf, "policy", "handoff"), Operator: l.str(hf, "operator", "handoff"), Line: hn.Line}
		what := fmt.Sprintf("handoff %q", h.ID)
		if _, ok := hf["id"]; ok {
			l.checkID(ids, h.ID, hf["id"].Line, "handoff")
		}
		h.Features = l.list(hf, "features", what)
		l.checkFeatures(hf, what, h.Features, false)
		for _, ft := range h.Features {
			if prev, dup := handed[ft]; dup {
				l.bad(hf["features"].Line, "%s: feature %q already handed off on line %d", what, ft, prev)
			}
			handed[ft] = l.line(hf, "features", hn.Line)
		}
		if _, ok := hf["policy"]; ok && !nameRE.MatchString(h.Policy) {
			l.bad(hf["policy"].Line, "%s: policy %q is not a model name", what, h.Policy)
		} else if h.Policy == m.Name && m.Name != "" {
			l.bad(hf["policy"].Line, "%s: hands features to its own policy", what)
		}
		if cn, ok := hf["clause"]; ok {
			h.Clause = l.clause(cn, what)
		}
		hs = append(hs, h)
	}
	return hs
}

func (l *loader) checkFeatures(f map[string]*yaml.Node, what string, feats []string, allowAny bool) {
	n, ok := f["features"]
	if !ok {
		return
	}
	if len(feats) == 0 {
		l.bad(n.Line, "%s: features is empty", what)
	}
	for _, ft := range feats {
		if ft == FeatureAny && allowAny {
			continue
		}
		if !slices.Contains(Features, ft) {
			l.bad(n.Line, "%s: unknown feature %q (want %s)", what, ft, strings.Join(Features, ", "))
		}
	}
}

func (l *loader) clause(n *yaml.Node, what string) Clause {
	cf := l.fields(n, what+": clause", []string{"section", "text", "source", "certainty"}, []string{"section", "text", "source", "certainty"})
	if cf == nil {
		return Clause{}
	}
	c := Clause{Section: l.str(cf, "section", what), Text: l.str(cf, "text", what),
		Source: l.str(cf, "source", what), Certainty: l.str(cf, "certainty", what)}
	if _, ok := cf["certainty"]; ok && !slices.Contains([]string{CertaintyHigh, CertaintyMedium, CertaintyLow}, c.Certainty) {
		l.bad(cf["certainty"].Line, "%s: clause certainty %q must be high, medium or low", what, c.Certainty)
	}
	for _, k := range []string{"section", "text", "source"} {
		if n, ok := cf[k]; ok && n.Kind == yaml.ScalarNode && strings.TrimSpace(n.Value) == "" {
			l.bad(n.Line, "%s: clause %s is empty", what, k)
		}
	}
	return c
}
