package claims

import (
	"fmt"
	"slices"
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
func locationWithPermission(ix *index) report.Claim {
	c := report.Claim{ID: LocationWithPermission, Title: "Granting the location permission lets location flow to WeChat"}
	var on, off, unknown []string
	for _, run := range ix.r.Runs {
		switch PermissionState(run.Permissions, locationPermission) {
		case "on":
			on = append(on, run.Label)
		case "off":
			off = append(off, run.Label)
		default:
			unknown = append(unknown, run.Label)
		}
	}
	inAny := func(runs []string, dt string) []*report.Finding {
		var out []*report.Finding
		for _, r := range runs {
			out = append(out, ix.runTypes[r][dt]...)
		}
		return out
	}
	// Data types present in some run with the permission and in none
	// without it, location first, then by sensitivity.
	var only []string
	types := map[string]bool{}
	for _, r := range on {
		for dt := range ix.runTypes[r] {
			types[dt] = true
		}
	}
	for dt := range types {
		if len(inAny(off, dt)) == 0 {
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
	runsWith := func(fs []*report.Finding) []string {
		var rs []string
		for _, f := range fs {
			if !slices.Contains(rs, f.Run) {
				rs = append(rs, f.Run)
			}
		}
		return rs
	}
	c.Numbers = map[string]any{
		"permission":              locationPermission,
		"runs_permission_on":      nonNil(on),
		"runs_permission_off":     nonNil(off),
		"runs_permission_unknown": nonNil(unknown),
		"only_with_permission":    nonNil(only),
		"location_findings_on":    len(locOn),
		"location_findings_off":   len(locOff),
		"runs_with_location_on":   nonNil(runsWith(locOn)),
		"runs_with_location_off":  nonNil(runsWith(locOff)),
	}
	var ev evidence
	for i, f := range locOn {
		if i >= 10 {
			break
		}
		ev.add(f)
	}
	for _, f := range locOff {
		ev.add(f)
	}
	for _, dt := range only {
		if fs := inAny(on, dt); len(fs) > 0 {
			ev.add(fs[0])
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
		if len(locOn)+len(locOff) > 0 || len(unknown) > 0 {
			c.Why += fmt.Sprintf("; %d run(s) have an unknown permission state", len(unknown))
		}
	case len(locOff) > 0:
		c.Verdict = report.Contradicted
		c.Statement = fmt.Sprintf("Precise location was sent even with the location permission off (%d findings in %s).", len(locOff), strings.Join(runsWith(locOff), ", "))
		c.Why = "location appears in a run whose location permission was off"
	case len(locOn) > 0:
		c.Verdict = report.Supported
		var rest []string
		for _, dt := range only {
			if dt != loc {
				rest = append(rest, policy.DataTypePhrase(dt))
			}
		}
		s := fmt.Sprintf("Precise location reached WeChat only in runs where the location permission was granted (%d findings in %s; none in %d run%s without it)",
			len(locOn), strings.Join(runsWith(locOn), ", "), len(off), plural(len(off)))
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
