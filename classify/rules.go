package classify

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/taxonomy"
)

//go:embed rules.yaml
var defaultRules []byte

// Rule is one declarative endpoint or key rule (see rules.yaml for the
// format and the shipped rules).
type Rule struct {
	ID         string              `yaml:"id" json:"id"`
	URI        []string            `yaml:"uri,omitempty" json:"uri,omitempty"`
	ReqType    []int               `yaml:"req_type,omitempty" json:"req_type,omitempty"`
	Path       string              `yaml:"path" json:"path"`
	Match      string              `yaml:"match,omitempty" json:"match,omitempty"`
	DataType   taxonomy.DataType   `yaml:"data_type" json:"data_type"`
	Confidence taxonomy.Confidence `yaml:"confidence" json:"confidence"`
	Reason     string              `yaml:"reason" json:"reason"`

	// Set by compile.
	match   *regexp.Regexp
	pattern []string
	anyPre  bool
}

// DefaultRules returns the shipped rules (a fresh copy).
func DefaultRules() []Rule {
	rs, err := ParseRules(defaultRules)
	if err != nil {
		panic("classify: internal error: shipped rules: " + err.Error())
	}
	return rs
}

// maxRules bounds a user rules file.
const maxRules = 10000

// ParseRules parses a rules file (YAML, the format of rules.yaml) and
// validates every rule. Errors name the rule by index and id.
func ParseRules(b []byte) ([]Rule, error) {
	var doc struct {
		Rules []Rule `yaml:"rules"`
	}
	if err := strictYAML(b, &doc); err != nil {
		return nil, fmt.Errorf("classify: rules: %w", err)
	}
	if len(doc.Rules) > maxRules {
		return nil, fmt.Errorf("classify: rules: %d rules, at most %d", len(doc.Rules), maxRules)
	}
	var errs []error
	for i := range doc.Rules {
		if err := doc.Rules[i].compile(); err != nil {
			errs = append(errs, fmt.Errorf("classify: rule %d (%q): %w", i+1, doc.Rules[i].ID, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return doc.Rules, nil
}

func (r *Rule) compile() error {
	switch {
	case r.ID == "":
		return errors.New("missing id")
	case r.Path == "":
		return errors.New("missing path")
	case !taxonomy.Known(r.DataType):
		return fmt.Errorf("unknown data_type %q", r.DataType)
	case r.Confidence.Rank() == 0:
		return fmt.Errorf("bad confidence %q (high, medium or low)", r.Confidence)
	case r.Reason == "":
		return errors.New("missing reason: every rule says why")
	}
	p := r.Path
	r.anyPre = false
	if p == "**" {
		r.anyPre, p = true, ""
	} else if rest, ok := strings.CutPrefix(p, "**."); ok {
		r.anyPre, p = true, rest
	}
	r.pattern = nil
	if p != "" {
		for _, c := range strings.Split(p, ".") {
			if c == "" || c == "**" {
				return fmt.Errorf("bad path %q", r.Path)
			}
			r.pattern = append(r.pattern, strings.ToLower(c))
		}
	}
	r.match = nil
	if r.Match != "" {
		re, err := regexp.Compile(r.Match)
		if err != nil {
			return fmt.Errorf("bad match: %w", err)
		}
		r.match = re
	}
	return nil
}

// appliesTo reports whether the rule's endpoint selection matches req:
// either the API path or the request id suffices. A later client may rename
// an endpoint (newsendmsg → newsendmsgv2) and keep its id, or send an id the
// tables do not know under a known path; the field path and match of the
// rule still have to fit, which keeps a stray id from firing alone.
func (r *Rule) appliesTo(req Request) bool {
	if len(r.URI) == 0 && len(r.ReqType) == 0 {
		return true
	}
	if req.URI != "" {
		uri := req.URI
		if i := strings.IndexByte(uri, '?'); i >= 0 {
			uri = uri[:i]
		}
		for _, u := range r.URI {
			if strings.HasSuffix(uri, u) {
				return true
			}
		}
	}
	for _, t := range r.ReqType {
		if t == req.ReqType && t != 0 {
			return true
		}
	}
	return false
}

// matchComps reports whether a path, split at its dots, matches the rule's
// pattern (Classify splits each leaf's path once for all rules).
func (r *Rule) matchComps(comps []string) bool {
	if r.anyPre {
		if len(comps) < len(r.pattern) {
			return false
		}
		comps = comps[len(comps)-len(r.pattern):]
	} else if len(comps) != len(r.pattern) {
		return false
	}
	for i, p := range r.pattern {
		if p == "*" {
			continue
		}
		// XML attributes are "@name" in decoder paths.
		if !strings.EqualFold(p, strings.TrimPrefix(comps[i], "@")) {
			return false
		}
	}
	return true
}

// valueText renders a leaf for Match: text as is, numbers in decimal.
func valueText(f *Field) (string, bool) {
	switch f.Kind {
	case KindText, KindNumber:
		return f.Text, f.Text != ""
	case KindVarint:
		return strconv.FormatUint(f.Uint, 10), f.Uint != 0
	case KindFixed32, KindFixed64:
		if f.HasFloat {
			return strconv.FormatFloat(f.Float, 'g', -1, 64), f.Float != 0
		}
		return strconv.FormatUint(f.Uint, 10), f.Uint != 0
	case KindBytes, KindOpaque:
		return hexString(f.Bytes), len(f.Bytes) > 0 && !allZero(f.Bytes)
	}
	return "", false
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
