// This file resolves what each type or category name of a model covers.

package policy

import (
	"slices"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// dataTypes are the names models may use besides categories.
var dataTypes = taxonomy.Names()

// builtinCategories converts the taxonomy's categories to model categories
// (which also carry the line they were defined on).
func builtinCategories() []Category {
	out := make([]Category, len(taxonomy.Categories))
	for i, c := range taxonomy.Categories {
		out[i] = Category{Name: c.Name, Description: c.Description, Vague: c.Vague, Includes: slices.Clone(c.Includes)}
	}
	return out
}

// buildCover computes, for every type and category name, the set of data
// types it covers (transitively), and which names are vague. It reports a
// cycle or an unknown name through bad, with the category at fault.
func buildCover(cats []Category, bad func(c *Category, msg string)) (map[string]map[string]bool, map[string]bool) {
	cover := make(map[string]map[string]bool, len(dataTypes)+len(cats))
	for _, t := range dataTypes {
		cover[t] = map[string]bool{t: true}
	}
	byName := map[string]*Category{}
	for i := range cats {
		byName[cats[i].Name] = &cats[i]
	}
	vague := map[string]bool{}
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var visit func(c *Category) map[string]bool
	visit = func(c *Category) map[string]bool {
		switch state[c.Name] {
		case done:
			return cover[c.Name]
		case visiting:
			bad(c, "category \""+c.Name+"\" includes itself")
			return nil
		}
		state[c.Name] = visiting
		set := map[string]bool{}
		for _, inc := range c.Includes {
			if sub, ok := byName[inc]; ok {
				for t := range visit(sub) {
					set[t] = true
				}
				continue
			}
			if cover[inc] != nil && slices.Contains(dataTypes, inc) {
				set[inc] = true
				continue
			}
			bad(c, "category \""+c.Name+"\" includes unknown data type \""+inc+"\"")
		}
		cover[c.Name] = set
		state[c.Name] = done
		if c.Vague {
			vague[c.Name] = true
		}
		return set
	}
	for i := range cats {
		visit(&cats[i])
	}
	return cover, vague
}
