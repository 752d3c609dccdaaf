package analyze

import (
	"github.com/wxaudit/wxaudit/classify"
)

// agreeing merges findings that several rules make of one value: the same
// field path, data type and value is one finding, listing every rule that
// recognised it (doc/claims.md, "one finding per value"). Counting one
// finding per rule would count a stay time twice when a key rule and a
// value detector both see it. The finding kept is the most confident one
// (the first of equals, so classify's order decides); its Rule stays the
// one that made it, and rules[i] lists the others in the order seen.
func agreeing(found []classify.Finding) ([]classify.Finding, [][]string) {
	if len(found) < 2 {
		return found, make([][]string, len(found))
	}
	type key struct{ path, dataType, value string }
	at := make(map[key]int, len(found))
	out := found[:0:0]
	var rules [][]string
	for _, f := range found {
		k := key{f.FieldPath, string(f.DataType), f.Value}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, f)
			rules = append(rules, nil)
			continue
		}
		kept := &out[i]
		if f.Confidence.Rank() > kept.Confidence.Rank() {
			rules[i] = appendRule(rules[i], kept.Rule)
			reason := kept.Reason
			*kept = f
			if kept.Reason == "" {
				kept.Reason = reason
			}
			continue
		}
		rules[i] = appendRule(rules[i], f.Rule)
	}
	return out, rules
}

func appendRule(rs []string, r string) []string {
	for _, x := range rs {
		if x == r {
			return rs
		}
	}
	return append(rs, r)
}
