package claims

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wxaudit/wxaudit/attribute"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// location_with_permission tests the study's finding 3: granting the
// location permission (during a Mini Program's use) enables more
// geolocation data to flow to WeChat. Rules (doc/claims.md):
//   - it compares runs with the location permission on and off; without
//     one of each it is not_testable;
//   - a run with the permission on counts only if location was exercised
//     in it (a request of the location feature, or a fix sent): data
//     absent from a feature that was not used says nothing;
//   - supported: the runs with it on sent more fixes per run than those
//     with it off;
//   - contradicted: they did not, and no run the comparison rests on
//     spans several experiments (a derived run of a cumulative log with
//     several app starts or Mini Program sessions);
//   - a fix sent with the permission off is an exception, stated with
//     what that run is, whatever the verdict.

// locationPermission is the permission the claim is about.
const locationPermission = "location" // not a data type: the OS permission

// PermissionState reads one permission's state from a run's permission
// field (see attribute.PermissionState).
func PermissionState(runPermissions, permission string) string {
	return attribute.PermissionState(runPermissions, permission)
}

// locTally counts the findings of each data type per run, keeping the
// first few IDs as evidence.
type locTally struct {
	runTypes map[string]map[string]*typeTally // run → data type
	requests map[string]int                   // run → requests carrying a fix
}

// request counts a request that carried at least one location finding:
// the unit the verdict compares (one request may carry a fix in several
// encodings, each its own finding).
func (t *locTally) request(q *report.Request, fs []report.Finding) {
	for i := range fs {
		if fs[i].DataType == string(taxonomy.Location) {
			t.requests[q.Run]++
			return
		}
	}
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

func (t *locTally) fixes(run string) *typeTally {
	if tt := t.runTypes[run][string(taxonomy.Location)]; tt != nil {
		return tt
	}
	return &typeTally{}
}

func (t *locTally) claim(runs map[string]RunDescription, rt *runTally) report.Claim {
	c := report.Claim{ID: LocationWithPermission, Source: report.SourceStudy,
		Title:         "Granting the location permission lets more location flow to WeChat",
		StudySentence: "Granting permissions such as location permission during the use of a Mini Program will also enable the larger transmission of geolocation data to WeChat."}
	labels := sortedKeys(runs)
	var on, off, unknown, onExercised []string
	for _, l := range labels {
		switch PermissionState(runs[l].Permissions, locationPermission) {
		case "on":
			on = append(on, l)
			if t.fixes(l).n > 0 || rt.of(l).features[taxonomy.FeatureLocation] > 0 {
				onExercised = append(onExercised, l)
			}
		case "off":
			off = append(off, l)
		default:
			unknown = append(unknown, l)
		}
	}
	sum := func(ls []string) (n int, with []string) {
		for _, l := range ls {
			if k := t.requests[l]; k > 0 {
				n += k
				with = append(with, l)
			}
		}
		return n, with
	}
	nOn, withOn := sum(onExercised)
	nOff, withOff := sum(off)
	total := 0
	for _, n := range t.requests {
		total += n
	}
	var described []RunDescription
	var mixed []string
	for _, l := range append(append([]string{}, on...), off...) {
		d := runs[l]
		described = append(described, d)
		if d.SeveralExperiments {
			mixed = append(mixed, d.caveat())
		}
	}
	c.Numbers = map[string]any{
		"permission":                locationPermission,
		"runs_permission_on":        nonNil(on),
		"runs_permission_on_used":   nonNil(onExercised),
		"runs_permission_off":       nonNil(off),
		"runs_permission_unknown":   nonNil(unknown),
		"location_requests":         total,
		"location_requests_on":      nOn,
		"location_requests_off":     nOff,
		"runs_with_location_on":     nonNil(withOn),
		"runs_with_location_off":    nonNil(withOff),
		"runs":                      nonNilRuns(described),
		"runs_spanning_experiments": nonNil(mixed),
	}
	var ev evidence
	for _, l := range withOn {
		for i, id := range t.fixes(l).ids {
			if i < 5 {
				ev.add(id)
			}
		}
	}
	for _, l := range withOff {
		for _, id := range t.fixes(l).ids {
			ev.add(id)
		}
	}
	c.Evidence = ev.list()
	for _, l := range withOff {
		c.Exceptions = append(c.Exceptions, fmt.Sprintf("location was sent with the permission off: %d request%s in %s", t.requests[l], plural(t.requests[l]), runs[l].caveat()))
	}
	for _, m := range mixed {
		c.Exceptions = append(c.Exceptions, "this run may hold more than one experiment, so its permission state may not hold throughout: "+m)
	}
	perRun := func(n, runs int) float64 {
		if runs == 0 {
			return 0
		}
		return float64(n) / float64(runs)
	}
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
		c.Statement = "Whether granting the location permission lets more location flow cannot be tested: the inputs lack " + strings.Join(missing, " and ") + "."
		c.Why = "the comparison needs at least one run with the permission off and one with it on, each one experiment"
		if len(unknown) > 0 {
			verb := "have"
			if len(unknown) == 1 {
				verb = "has"
			}
			c.Why += fmt.Sprintf("; %d run%s %s no stated permission state", len(unknown), plural(len(unknown)), verb)
		}
		c.Next = "capture the same steps twice, once with location=on and once with location=off (wxaudit capture --permissions location=on|off), each into its own run folder; a log that is a prefix of another is not a run of its own experiment"
		c.Concern = nOn+nOff > 0 && len(withOff) > 0
	case len(onExercised) == 0:
		c.Verdict = report.NotTestable
		c.Statement = "No run with the location permission on used a feature that asks for location, so the permission's effect cannot be seen."
		c.Why = "a run with the permission on counts only if location was exercised in it (a location request or a fix sent)"
		c.Next = "capture a run that uses a Mini Program's location feature (a map, 'nearby') with location=on, and the same with location=off"
		c.Concern = len(withOff) > 0
	case perRun(nOn, len(onExercised)) > perRun(nOff, len(off)):
		c.Verdict, c.Concern = report.Supported, true
		s := fmt.Sprintf("With the location permission granted, location reached WeChat: %d request%s in %s, against %d in %d run%s without it",
			nOn, plural(nOn), strings.Join(withOn, ", "), nOff, len(off), plural(len(off)))
		c.Statement = s + "."
		c.Why = "more requests carrying location per run with the permission on (in runs that used location) than with it off"
	case len(mixed) > 0:
		c.Verdict = report.NotTestable
		c.Statement = "The runs do not show more location with the permission on, but the comparison rests on runs that may hold several experiments, so no verdict is given."
		c.Why = "a contradiction may not rest on a run that spans several experiments: " + strings.Join(mixed, "; ")
		c.Next = "capture each permission state as its own run"
		c.Concern = len(withOff) > 0
	default:
		c.Verdict = report.Contradicted
		c.Concern = len(withOff) > 0
		if nOn+nOff == 0 {
			c.Statement = "No location was sent, with or without the location permission, although location was used with it on."
		} else {
			c.Statement = fmt.Sprintf("Granting the location permission did not let more location flow: %d request%s in %d run%s with it on, %d in %d run%s with it off.",
				nOn, plural(nOn), len(onExercised), plural(len(onExercised)), nOff, len(off), plural(len(off)))
		}
		c.Why = "the runs with the permission on (that used location) sent no more requests carrying location per run than those with it off"
	}
	sort.Strings(c.Exceptions)
	return c
}

func nonNilRuns(xs []RunDescription) []RunDescription {
	if xs == nil {
		return []RunDescription{}
	}
	return xs
}
