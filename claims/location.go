package claims

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wxaudit/wxaudit/attribute"
	"github.com/wxaudit/wxaudit/policy"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// locationPermission is the permission the location claim is about.
const locationPermission = "location" // not a data type: the OS permission

// PermissionState reads one permission's state from a run's permission
// field (see attribute.PermissionState).
func PermissionState(runPermissions, permission string) string {
	return attribute.PermissionState(runPermissions, permission)
}

// locationWithPermission: data (location first) that flows only in runs
// where the permission was granted. It needs at least one run with the
// permission off and one with it on: without both the design cannot show
// that the permission is what makes the difference.
// locTally counts the findings of each data type per run, keeping the
// first few IDs as evidence.
type locTally struct {
	runTypes map[string]map[string]*typeTally // run → data type
}

type typeTally struct {
	n   int
	ids []string // the first maxEvidence
}

func (t *locTally) add(f *report.Finding) {
	m := t.runTypes[f.Run]
	if m == nil {
		m = map[string]*typeTally{}
		t.runTypes[f.Run] = m
	}
	tt := m[f.DataType]
	if tt == nil {
		tt = &typeTally{}
		m[f.DataType] = tt
	}
	tt.n++
	if len(tt.ids) < maxEvidence {
		tt.ids = append(tt.ids, f.ID)
	}
}

// found is what runs hold of one data type: the count, the runs that have
// it, in the order given, and the first IDs in that order.
type found struct {
	n    int
	runs []string
	ids  []string
}

func (t *locTally) inAny(runs []string, dt string) found {
	var out found
	for _, r := range runs {
		if tt := t.runTypes[r][dt]; tt != nil && tt.n > 0 {
			out.n += tt.n
			out.runs = append(out.runs, r)
			out.ids = append(out.ids, tt.ids...)
		}
	}
	return out
}

func (t *locTally) claim(runs []report.Run) report.Claim {
	c := report.Claim{ID: LocationWithPermission, Title: "Granting the location permission lets location flow to WeChat"}
	var on, off, unknown []string
	for _, run := range runs {
		switch PermissionState(run.Permissions, locationPermission) {
		case "on":
			on = append(on, run.Label)
		case "off":
			off = append(off, run.Label)
		default:
			unknown = append(unknown, run.Label)
		}
	}
	inAny := t.inAny
	// Data types present in some run with the permission and in none
	// without it, location first, then by sensitivity.
	var only []string
	types := map[string]bool{}
	for _, r := range on {
		for dt := range t.runTypes[r] {
			types[dt] = true
		}
	}
	for dt := range types {
		if inAny(off, dt).n == 0 {
			only = append(only, dt)
		}
	}
	loc := string(taxonomy.Location)
	sort.Slice(only, func(i, j int) bool {
		if (only[i] == loc) != (only[j] == loc) {
			return only[i] == loc
		}
		if si, sj := report.Sensitivity(only[i]), report.Sensitivity(only[j]); si != sj {
			return si > sj
		}
		return only[i] < only[j]
	})
	locOn, locOff := inAny(on, loc), inAny(off, loc)
	runsWith := func(fs found) []string { return fs.runs }
	c.Numbers = map[string]any{
		"permission":              locationPermission,
		"runs_permission_on":      nonNil(on),
		"runs_permission_off":     nonNil(off),
		"runs_permission_unknown": nonNil(unknown),
		"only_with_permission":    nonNil(only),
		"location_findings_on":    locOn.n,
		"location_findings_off":   locOff.n,
		"runs_with_location_on":   nonNil(runsWith(locOn)),
		"runs_with_location_off":  nonNil(runsWith(locOff)),
	}
	var ev evidence
	for i, id := range locOn.ids {
		if i >= 10 {
			break
		}
		ev.add(id)
	}
	for _, id := range locOff.ids {
		ev.add(id)
	}
	for _, dt := range only {
		if fs := inAny(on, dt); fs.n > 0 {
			ev.add(fs.ids[0])
		}
	}
	c.Evidence = ev.list()
	switch {
	case len(on) == 0 || len(off) == 0:
		c.Verdict = report.NotTestable
		var missing []string
		if len(off) == 0 {
			missing = append(missing, "a run with the location permission off")
		}
		if len(on) == 0 {
			missing = append(missing, "a run with it on")
		}
		c.Statement = "Whether location flows only once the permission is granted cannot be tested: the inputs lack " + strings.Join(missing, " and ") + "."
		c.Why = "the comparison needs at least one run with the permission off and one with it on; give each run's state with --permissions (on, off, or location=on) or in run.yaml"
		if locOn.n+locOff.n > 0 || len(unknown) > 0 {
			c.Why += fmt.Sprintf("; %d run(s) have an unknown permission state", len(unknown))
		}
	case locOff.n > 0:
		c.Verdict = report.Contradicted
		c.Statement = fmt.Sprintf("Precise location was sent even with the location permission off (%d findings in %s).", locOff.n, strings.Join(runsWith(locOff), ", "))
		c.Why = "location appears in a run whose location permission was off"
	case locOn.n > 0:
		c.Verdict = report.Supported
		var rest []string
		for _, dt := range only {
			if dt != loc {
				rest = append(rest, policy.DataTypePhrase(dt))
			}
		}
		s := fmt.Sprintf("Precise location reached WeChat only in runs where the location permission was granted (%d findings in %s; none in %d run%s without it)",
			locOn.n, strings.Join(runsWith(locOn), ", "), len(off), plural(len(off)))
		if len(rest) > 0 {
			s += "; also only with the permission: " + strings.Join(rest, ", ")
		}
		c.Statement = s + "."
		c.Why = "location is present in runs with the permission on and absent from every run with it off"
	default:
		c.Verdict = report.Contradicted
		c.Statement = "No precise location was sent, with or without the location permission."
		c.Why = "granting the permission did not make location appear in these runs"
	}
	return c
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
