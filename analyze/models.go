package analyze

import (
	"github.com/wxaudit/wxaudit/claims"
	"github.com/wxaudit/wxaudit/internal/sniff"
	"github.com/wxaudit/wxaudit/policy"
)

// OpenPolicy opens the policy model for Options.Policy: a shipped name or a
// YAML file; "" and "none" mean no comparison (nil).
func OpenPolicy(nameOrFile string) (*policy.Model, error) {
	if nameOrFile == "" || nameOrFile == "none" {
		return nil, nil
	}
	return policy.Open(nameOrFile)
}

// OpenNeeds returns the shipped necessity model extended by a YAML file
// ("": the shipped model alone), for Options.Needs.
func OpenNeeds(file string) (*claims.Needs, error) {
	needs := claims.DefaultNeeds()
	if file == "" {
		return needs, nil
	}
	b, err := sniff.ReadFile(file, claims.MaxNeedsFile)
	if err != nil {
		return nil, err
	}
	extra, err := claims.ParseNeeds(b)
	if err != nil {
		return nil, sniff.Hinted(err, "see claims/needs.yaml for the format")
	}
	return needs.Merge(extra), nil
}
