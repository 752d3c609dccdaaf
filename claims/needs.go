package claims

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/wxaudit/wxaudit/taxonomy"
)

//go:embed needs.yaml
var shippedNeeds []byte

// Need is one data type a feature needs, with the reason.
type Need struct {
	Type string `yaml:"type"`
	Why  string `yaml:"why"`
}

// FeatureNeeds is what one feature needs.
type FeatureNeeds struct {
	Core  bool   `yaml:"core"`
	Why   string `yaml:"why"`
	Needs []Need `yaml:"needs"`
}

// Needs is the necessity model (needs.yaml).
type Needs struct {
	Version      int                     `yaml:"version"`
	EveryRequest []Need                  `yaml:"every_request"`
	Features     map[string]FeatureNeeds `yaml:"features"`
}

// MaxNeedsFile bounds a necessity model file.
const MaxNeedsFile = 1 << 20

// DefaultNeeds returns the shipped necessity model.
func DefaultNeeds() *Needs {
	n, err := ParseNeeds(shippedNeeds)
	if err != nil {
		panic("claims: shipped needs.yaml: " + err.Error())
	}
	return n
}

// ParseNeeds reads a necessity model. Unknown fields and unknown data
// types are errors: a typo would silently change a verdict.
func ParseNeeds(b []byte) (*Needs, error) {
	if len(b) > MaxNeedsFile {
		return nil, fmt.Errorf("needs model: larger than %d bytes", MaxNeedsFile)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var n Needs
	if err := dec.Decode(&n); err != nil {
		return nil, fmt.Errorf("needs model: %w", err)
	}
	if n.Version != 1 {
		return nil, fmt.Errorf("needs model: version %d, want 1", n.Version)
	}
	check := func(where string, ns []Need) error {
		for _, x := range ns {
			if !taxonomy.Known(taxonomy.DataType(x.Type)) {
				return fmt.Errorf("needs model: %s: unknown data type %q", where, x.Type)
			}
			if x.Why == "" {
				return fmt.Errorf("needs model: %s: %s has no reason (why)", where, x.Type)
			}
		}
		return nil
	}
	if err := check("every_request", n.EveryRequest); err != nil {
		return nil, err
	}
	for f, fn := range n.Features {
		if err := check("features."+f, fn.Needs); err != nil {
			return nil, err
		}
	}
	return &n, nil
}

// Merge overlays a user's model on n: a feature given in o replaces n's,
// o's every_request entries are added.
func (n *Needs) Merge(o *Needs) *Needs {
	out := &Needs{Version: 1, EveryRequest: append(append([]Need(nil), n.EveryRequest...), o.EveryRequest...),
		Features: map[string]FeatureNeeds{}}
	for k, v := range n.Features {
		out.Features[k] = v
	}
	for k, v := range o.Features {
		out.Features[k] = v
	}
	return out
}

// Needed reports whether feature needs dataType, and why.
func (n *Needs) Needed(feature, dataType string) (string, bool) {
	for _, x := range n.EveryRequest {
		if x.Type == dataType {
			return x.Why, true
		}
	}
	for _, x := range n.Features[feature].Needs {
		if x.Type == dataType {
			return x.Why, true
		}
	}
	return "", false
}

// Core lists the core features, sorted.
func (n *Needs) Core() []string {
	var out []string
	for f, fn := range n.Features {
		if fn.Core {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}
