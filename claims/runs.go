package claims

import (
	"fmt"
	"path"
	"strings"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// A run that holds several experiments cannot stand for one permission
// state: Citizen Lab's logs are cumulative, and the "run" that remains
// after a prefix is every later experiment at once. What the data shows of
// that: several app starts (each start authenticates once) or several Mini
// Program sessions.

// loginEndpoints are the requests an app start sends once: the automatic
// or manual authentication.
var loginEndpoints = map[string]bool{"autoauth": true, "secautoauth": true, "manualauth": true, "secmanualauth": true}

// runFacts is what the requests of one run show of its experiments.
type runFacts struct {
	appStarts int
	sessions  map[string]map[string]bool // appid → stated session ids
	features  map[string]int             // feature → requests
	requests  int
	payloads  int // requests with a decrypted payload (not empty)
	// locationGranted and locationDenied: the run's requests state the
	// location permission as granted, or as denied (a Mini Program's
	// authSetting): both means it changed within the run.
	locationGranted, locationDenied bool
}

type runTally struct {
	byRun map[string]*runFacts
}

func newRunTally() runTally { return runTally{byRun: map[string]*runFacts{}} }

func (t *runTally) of(run string) *runFacts {
	r := t.byRun[run]
	if r == nil {
		r = &runFacts{sessions: map[string]map[string]bool{}, features: map[string]int{}}
		t.byRun[run] = r
	}
	return r
}

func (t *runTally) add(q *report.Request, fs []report.Finding) {
	r := t.of(q.Run)
	r.requests++
	if q.Size > 0 {
		r.payloads++
	}
	r.features[q.Feature]++
	if loginEndpoints[path.Base(q.URI)] {
		r.appStarts++
	}
	for i := range fs {
		if f := &fs[i]; f.DataType == string(taxonomy.PermissionsState) {
			v := strings.ToLower(f.Evidence.Value)
			if strings.Contains(v, "location") { // not a data type: the permission's name
				r.locationGranted = r.locationGranted || strings.Contains(v, "true")
				r.locationDenied = r.locationDenied || strings.Contains(v, "false")
			}
		}
		if f := &fs[i]; f.AppID != "" && f.MPSession != "" {
			m := r.sessions[f.AppID]
			if m == nil {
				if len(r.sessions) >= maxSessionsPerRun {
					continue
				}
				m = map[string]bool{}
				r.sessions[f.AppID] = m
			}
			if len(m) < maxSessionsPerRun {
				m[f.MPSession] = true
			}
		}
	}
}

// maxSessionsPerRun bounds the sessions kept per run.
const maxSessionsPerRun = 1000

// RunDescription is what a claim that compares runs says of each run.
type RunDescription struct {
	Label       string `json:"run"`
	Permissions string `json:"permissions"`
	Requests    int    `json:"requests"`
	// DerivedFrom and LineSpan say that the run is what remains of a
	// cumulative log after a prefix (another run).
	DerivedFrom        string `json:"derived_from,omitempty"`
	LineSpan           string `json:"line_span,omitempty"`
	AppStarts          int    `json:"app_starts"`
	MPSessions         int    `json:"miniprogram_sessions"`
	PermissionChanges  bool   `json:"permission_changes"`
	SeveralExperiments bool   `json:"several_experiments"`
}

func (t *runTally) describeOne(r report.Run) RunDescription {
	f := t.byRun[r.Label]
	if f == nil {
		f = &runFacts{}
	}
	d := RunDescription{Label: r.Label, Permissions: r.Permissions, Requests: r.Requests, AppStarts: f.appStarts, MPSessions: f.sessionCount()}
	if r.Extends != "" {
		d.DerivedFrom = fmt.Sprintf("%s after the lines of %s", path.Base(r.Source), r.Extends)
		d.LineSpan = r.LineSpan
		if d.LineSpan == "" {
			d.LineSpan = fmt.Sprintf("%d-%d", r.SkipLines+1, r.Lines)
		}
	}
	d.PermissionChanges = f.locationGranted && f.locationDenied
	d.SeveralExperiments = f.appStarts > 1 || d.MPSessions > 1 || d.PermissionChanges
	return d
}

func (t *runTally) describe(runs []report.Run) map[string]RunDescription {
	out := map[string]RunDescription{}
	for _, r := range runs {
		out[r.Label] = t.describeOne(r)
	}
	return out
}

// caveat words what a run is, when that matters to a comparison: "lines
// 351-952 of startup.log.jsonl after the lines of logout_1, 3 app starts".
func (d RunDescription) caveat() string {
	var parts []string
	if d.DerivedFrom != "" {
		parts = append(parts, "lines "+d.LineSpan+" of "+d.DerivedFrom)
	}
	if d.AppStarts > 1 {
		parts = append(parts, fmt.Sprintf("%d app starts", d.AppStarts))
	}
	if d.MPSessions > 1 {
		parts = append(parts, fmt.Sprintf("%d Mini Program sessions", d.MPSessions))
	}
	if d.PermissionChanges {
		parts = append(parts, "the location permission both granted and denied")
	}
	if len(parts) == 0 {
		return d.Label
	}
	return d.Label + " (" + strings.Join(parts, ", ") + ")"
}

// sessionCount counts the run's Mini Program launches over all its
// appids: a launch stamp named by two appids (a Mini Program and its
// plugin) is one launch.
func (f *runFacts) sessionCount() int {
	all := map[string]bool{}
	for _, ids := range f.sessions {
		for id := range ids {
			all[id] = true
		}
	}
	return countSessions(all)
}
