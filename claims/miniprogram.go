package claims

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// miniprogram_tracking tests the study's finding 2: WeChat itself, not
// only the Mini Program's developer, receives what the user does inside a
// Mini Program. Its units (doc/claims.md):
//   - a Mini Program with activity: an appid with at least one page, user
//     UI event or stay time tied to it in a request to WeChat;
//   - a session: one stated Mini Program session id (a launch); activity
//     in a run that states none counts as one session of that run;
//   - a page: one distinct page path (without ".html" or a query);
//   - a UI event: one user action, i.e. one report entry holding a UI
//     event; API calls and their results ("getLocation:ok") are not;
//   - a stay time: one (appid, page, session) value of a stay-time field;
//     load times (costtime, startCostTime) are not stay times.
// Appids seen only in package or version lines, plugin downloads or API
// names are counted apart, never as Mini Programs with activity.

// toWeChat reports whether a recipient is WeChat itself (or the
// Weixin-operated services on its servers), not the Mini Program's
// developer.
func toWeChat(recipient string) bool {
	return recipient == taxonomy.RecipientWeChat || recipient == taxonomy.RecipientWeixin
}

// mpApp is what WeChat received about one Mini Program.
type mpApp struct {
	sessions   map[string]bool // stated session ids
	statedIn   map[string]bool // runs that state a session of this appid
	bareRuns   map[string]bool // runs with activity outside a stated session
	pages      map[string]bool
	uiEvents   int
	stayTimes  map[string]map[string]bool // page → sessions with a stay time on it
	stayNoPage int                        // stay times whose entry names no page
	loadTimes  int
	reports    int // other usage reports tied to the appid
	endpoints  map[string]bool
	runs       map[string]bool
	evidenceBy map[string]string // unit → first finding
}

func newMPApp() *mpApp {
	return &mpApp{sessions: map[string]bool{}, statedIn: map[string]bool{}, bareRuns: map[string]bool{}, pages: map[string]bool{}, stayTimes: map[string]map[string]bool{},
		endpoints: map[string]bool{}, runs: map[string]bool{}, evidenceBy: map[string]string{}}
}

func (m *mpApp) active() bool {
	return len(m.pages) > 0 || m.uiEvents > 0 || len(m.stayTimes) > 0 || m.stayNoPage > 0
}

// stayTimeCount counts (page, session) stay times, a session being a
// launch (countSessions): two stamps of one launch are one stay time.
func (m *mpApp) stayTimeCount() int {
	n := 0
	for _, sessions := range m.stayTimes {
		n += countSessions(sessions)
	}
	return n
}

func (m *mpApp) sessionCount() int {
	n := countSessions(m.sessions)
	for r := range m.bareRuns {
		if !m.statedIn[r] {
			n++ // a run that states no session of the appid: one session
		}
	}
	return n
}

// MPNumbers is one Mini Program's numbers in claims.json.
type MPNumbers struct {
	Sessions  int      `json:"sessions"`
	Pages     []string `json:"pages"`
	UIEvents  int      `json:"ui_events"`
	StayTimes int      `json:"stay_times"`
	// StayTimesNoPage counts stay-time values whose entry names no page
	// (or several): not a (page, session) unit, so not in StayTimes.
	StayTimesNoPage int      `json:"stay_times_without_page"`
	LoadTimes       int      `json:"load_times"`
	UsageReports    int      `json:"other_usage_reports"`
	Endpoints       []string `json:"endpoints"`
	Runs            []string `json:"runs"`
}

func (m *mpApp) numbers() MPNumbers {
	return MPNumbers{Sessions: m.sessionCount(), Pages: sortedSet(m.pages), UIEvents: m.uiEvents, StayTimes: m.stayTimeCount(), StayTimesNoPage: m.stayNoPage,
		LoadTimes: m.loadTimes, UsageReports: m.reports, Endpoints: sortedSet(m.endpoints), Runs: sortedSet(m.runs)}
}

func (m *mpApp) weight() int { return 100*len(m.pages) + 10*m.uiEvents + 10*m.stayTimeCount() }

func (m *mpApp) describe(app string) string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s%s", n, what, plural(n)))
		}
	}
	add(m.sessionCount(), "session")
	add(len(m.pages), "page")
	add(m.uiEvents, "UI event")
	add(m.stayTimeCount(), "stay time")
	return app + ": " + strings.Join(parts, ", ")
}

// mpTally counts, per appid, the Mini Program activity WeChat received.
type mpTally struct {
	apps         map[string]*mpApp
	named        map[string]bool // appids named anywhere
	pagesNoApp   map[string]bool // page paths with no appid beside them
	noAppFinding string
	sessions     map[string]map[string]bool // appid → every stated session id, active or not
	sessionRuns  map[string]map[string]bool // appid → runs that state one
	// the request being counted, to count one UI event per entry
	reqUnits    map[string]bool
	entryEvents bool // the request holds UI events in known entries
}

// addRequest counts one request's findings. A UI event whose entry could
// not be told (the same value in several entries, such as eventID 1003 in
// each of three event records) is one of the request's entry-keyed events,
// already counted by its entry; it counts alone only in a request with no
// such events.
func (t *mpTally) addRequest(fs []report.Finding) {
	t.reqUnits, t.entryEvents = map[string]bool{}, false
	for i := range fs {
		if f := &fs[i]; f.Entry != 0 && f.AppID != "" && toWeChat(f.Recipient) && mpUnit(f) == unitUIEvent {
			t.entryEvents = true
			break
		}
	}
	for i := range fs {
		t.add(&fs[i])
	}
}

func newMPTally() mpTally {
	return mpTally{apps: map[string]*mpApp{}, named: map[string]bool{}, pagesNoApp: map[string]bool{}, sessions: map[string]map[string]bool{}, sessionRuns: map[string]map[string]bool{}}
}

// maxMPSet bounds each per-appid set (pages, sessions, stay times).
const maxMPSet = 500

func addBounded(m map[string]bool, k string) {
	if len(m) < maxMPSet {
		m[k] = true
	}
}

func (t *mpTally) add(f *report.Finding) {
	if f.DataType == string(taxonomy.MiniProgramID) && strings.HasPrefix(f.Evidence.Value, "wx") {
		addBounded(t.named, f.Evidence.Value)
	}
	if f.AppID != "" && f.MPSession != "" {
		m := t.sessions[f.AppID]
		if m == nil && len(t.sessions) < maxMPSet {
			m = map[string]bool{}
			t.sessions[f.AppID] = m
		}
		if m != nil {
			addBounded(m, f.MPSession)
			runs := t.sessionRuns[f.AppID]
			if runs == nil {
				runs = map[string]bool{}
				t.sessionRuns[f.AppID] = runs
			}
			addBounded(runs, f.Run)
		}
	}
	if !toWeChat(f.Recipient) {
		return
	}
	unit := mpUnit(f)
	if unit == "" {
		return
	}
	if f.AppID == "" {
		if unit == unitPage && len(t.pagesNoApp) < maxMPSet {
			t.pagesNoApp[report.NormalisePage(f.Evidence.Value)] = true
			if t.noAppFinding == "" {
				t.noAppFinding = f.ID
			}
		}
		return
	}
	m := t.apps[f.AppID]
	if m == nil {
		if len(t.apps) >= maxMPSet {
			return
		}
		m = newMPApp()
		t.apps[f.AppID] = m
	}
	switch unit {
	case unitPage:
		addBounded(m.pages, report.NormalisePage(f.Evidence.Value))
	case unitUIEvent:
		key := "e" + strconv.Itoa(f.Entry)
		if f.Entry == 0 {
			if t.entryEvents {
				return
			}
			key = f.Evidence.FieldPath + "\x00" + f.Evidence.Value
		}
		if t.reqUnits[key] {
			return // the same event, read from another of its fields
		}
		t.reqUnits[key] = true
		m.uiEvents++
	case unitStayTime:
		if f.MPPage == "" {
			m.stayNoPage++
			break
		}
		session := f.MPSession
		if session == "" {
			session = "run " + f.Run // no stated launch: one per run
		}
		sessions := m.stayTimes[f.MPPage]
		if sessions == nil {
			if len(m.stayTimes) >= maxMPSet {
				break
			}
			sessions = map[string]bool{}
			m.stayTimes[f.MPPage] = sessions
		}
		addBounded(sessions, session)
	case unitLoadTime:
		m.loadTimes++
	case unitReport:
		m.reports++
	}
	if unit != unitReport && unit != unitLoadTime {
		if f.MPSession != "" {
			addBounded(m.sessions, f.MPSession)
			addBounded(m.statedIn, f.Run)
		} else {
			addBounded(m.bareRuns, f.Run)
		}
		addBounded(m.runs, f.Run)
		ep := f.URI
		if ep == "" {
			ep = fmt.Sprintf("request type %d", f.ReqType)
		}
		addBounded(m.endpoints, ep)
	}
	if _, ok := m.evidenceBy[unit]; !ok {
		m.evidenceBy[unit] = f.ID
	}
}

// The units a finding can count as.
const (
	unitPage     = "page"
	unitUIEvent  = "ui_event"
	unitStayTime = "stay_time"
	unitLoadTime = "load_time"
	unitReport   = "usage_report"
)

// mpUnit is what a Mini Program finding counts as, or "".
func mpUnit(f *report.Finding) string {
	key := strings.ToLower(lastKey(f.Evidence.FieldPath))
	switch f.DataType {
	case string(taxonomy.MiniProgramPagePath):
		return unitPage
	case string(taxonomy.UIEvents):
		if isAPICall(f, key) {
			return ""
		}
		return unitUIEvent
	case string(taxonomy.UsageStatistics):
		switch {
		case strings.Contains(key, "cost") || strings.Contains(key, "loadtime") || strings.Contains(key, "load_time"):
			return unitLoadTime
		case strings.Contains(key, "staytime") || strings.Contains(key, "stay_time"):
			return unitStayTime
		}
		return unitReport
	}
	return ""
}

// navigationAPIs are the Mini Program page-navigation API names.
var navigationAPIs = map[string]bool{"navigateTo": true, "navigateBack": true, "redirectTo": true, "switchTab": true, "reLaunch": true}

// isAPICall reports a Mini Program API call or its result ("getLocation",
// "request:ok", "getPermissionBytes:fail …"): what the page's code asked
// WeChat for, not what the user did.
func isAPICall(f *report.Finding, key string) bool {
	if key == "api_name" || key == "apiname" || key == "errmsg" || key == "func" {
		return true
	}
	v := f.Evidence.Value
	// The navigation APIs (wx.navigateTo, wx.switchTab, …) in report lines
	// are calls the page's code made; the page they lead to is counted as
	// a page.
	if navigationAPIs[v] {
		return true
	}
	// A Mini Program JS-API log record ({"business":"mmbizwxajsapi",
	// "dataArray":[[{"func":…,"errMsg":…}]]}) lists calls and results, no
	// event: an event record names its eventID.
	if strings.HasPrefix(v, "{") && strings.Contains(v, `"errMsg"`) && !strings.Contains(v, `"eventID"`) {
		return true
	}
	if strings.HasPrefix(v, "{") && strings.Contains(v, "jsapi") && !strings.Contains(v, `"eventID"`) {
		return true
	}
	if i := strings.IndexByte(v, ':'); i > 0 {
		rest := v[i+1:]
		if strings.HasPrefix(rest, "ok") || strings.HasPrefix(rest, "fail") || strings.HasPrefix(rest, "cancel") {
			return true
		}
	}
	return strings.Contains(f.Evidence.Rule, "api-result") || strings.Contains(f.Evidence.Rule, "api-name")
}

func (t *mpTally) active() []string {
	var out []string
	for app, m := range t.apps {
		if m.active() {
			out = append(out, app)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if wi, wj := t.apps[out[i]].weight(), t.apps[out[j]].weight(); wi != wj {
			return wi > wj
		}
		return out[i] < out[j]
	})
	return out
}

func (t *mpTally) claim(runs []report.Run, rt *runTally) report.Claim {
	c := report.Claim{ID: MiniProgramTracking, Source: report.SourceStudy,
		Title:         "WeChat itself receives what you do inside Mini Programs",
		StudySentence: "All Mini Programs, and thereby their users, are enrolled in usage tracking, meaning that a large amount of users' activity in the Mini Program is sent to WeChat and not just the Mini Program developers themselves."}
	active := t.active()
	withPayload, runsWith := 0, map[string]bool{}
	for _, run := range runs {
		if f := rt.byRun[run.Label]; f != nil && f.payloads > 0 {
			withPayload++
		}
	}
	perApp := map[string]MPNumbers{}
	var ev evidence
	sessions := 0
	for _, app := range active {
		m := t.apps[app]
		// A launch stated beside the appid in a line without activity
		// (a kv line, a plugin report) is a launch all the same.
		for id := range t.sessions[app] {
			addBounded(m.sessions, id)
		}
		for r := range t.sessionRuns[app] {
			addBounded(m.statedIn, r)
		}
		perApp[app] = m.numbers()
		sessions += m.sessionCount()
		for r := range m.runs {
			runsWith[r] = true
		}
		for _, u := range []string{unitPage, unitUIEvent, unitStayTime} {
			ev.add(m.evidenceBy[u])
		}
	}
	var inactive []string
	for app := range t.named {
		if m := t.apps[app]; m == nil || !m.active() {
			inactive = append(inactive, app)
		}
	}
	sort.Strings(inactive)
	c.Numbers = map[string]any{
		"miniprograms_with_activity":           len(active),
		"miniprograms":                         perApp,
		"sessions":                             sessions,
		"appids_named_without_activity":        len(inactive),
		"pages_without_appid":                  len(t.pagesNoApp),
		"runs_with_miniprogram_activity":       len(runsWith),
		"runs_with_decrypted_payloads":         withPayload,
		"share_runs_with_miniprogram_activity": share(len(runsWith), withPayload),
		"share_denominator":                    "runs with at least one decrypted payload",
	}
	if len(inactive) > 0 {
		c.Exceptions = append(c.Exceptions, fmt.Sprintf("%d further appid%s appeared only in package, version or configuration lines, with no page, UI event or stay time: not counted as used", len(inactive), plural(len(inactive))))
	}
	if len(t.pagesNoApp) > 0 {
		c.Exceptions = append(c.Exceptions, fmt.Sprintf("%d page path%s reached WeChat with no appid beside %s: not attributed to any Mini Program", len(t.pagesNoApp), plural(len(t.pagesNoApp)), pronoun(len(t.pagesNoApp))))
	}
	c.Evidence = ev.list()
	switch {
	case len(active) > 0:
		c.Verdict, c.Concern = report.Supported, true
		var parts []string
		for i, app := range active {
			if i == 3 {
				parts = append(parts, fmt.Sprintf("and %d more", len(active)-3))
				break
			}
			parts = append(parts, t.apps[app].describe(app))
		}
		c.Statement = fmt.Sprintf("WeChat's own servers, not only the Mini Programs' developers, received what the user did inside %d Mini Program%s (%s); %d of %d runs with decrypted traffic carried such activity.",
			len(active), plural(len(active)), strings.Join(parts, "; "), len(runsWith), withPayload)
		c.Why = "pages, user UI events or stay times tied to a Mini Program's appid were found in requests to WeChat's own servers (one is enough: the sentence is about whether WeChat receives it at all)"
		c.Next = "to measure how widespread this is, capture more Mini Programs, one run each (the PETS 2025 follow-up traced 104)"
	case len(t.sessions) > 0:
		n := 0
		for _, ids := range t.sessions {
			n += countSessions(ids)
		}
		c.Verdict = report.Contradicted
		c.Statement = fmt.Sprintf("%d Mini Program session%s were opened, but no page, user UI event or stay time of theirs reached WeChat's own servers in the decrypted traffic.", n, plural(n))
		c.Why = "a Mini Program was used (a session id was sent) and none of its activity was found in requests to WeChat"
		c.Next = "check the run's decryption coverage: activity in records left encrypted is not seen"
	default:
		c.Verdict = report.NotTestable
		c.Statement = "No Mini Program was used in these runs (no session was opened and no page, UI event or stay time was sent), so whether WeChat receives Mini Program activity cannot be said."
		c.Why = "no Mini Program session or activity; appids named in package or version lines do not show that a Mini Program was used"
		c.Next = "capture a run that opens a Mini Program and uses it (a few pages, a tap, a minute's stay)"
	}
	return c
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// lastKey is the last component of a field path.
func lastKey(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		p = p[i+1:]
	}
	return strings.TrimRight(p, "[]")
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// IsActivity reports whether f is Mini Program activity received by
// WeChat in miniprogram_tracking's units: a page, user UI event or stay
// time tied to an appid.
func IsActivity(f *report.Finding) bool {
	if f.AppID == "" || !toWeChat(f.Recipient) {
		return false
	}
	switch mpUnit(f) {
	case unitPage, unitUIEvent, unitStayTime:
		return true
	}
	return false
}
