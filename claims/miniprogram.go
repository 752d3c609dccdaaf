package claims

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// browsingTypes are the fine-grained Mini Program browsing data of the PETS
// 2025 study "What WeChat Knows": pages visited, UI events and stay times
// (usage reports) of a Mini Program.
var browsingTypes = map[string]bool{
	string(taxonomy.MiniProgramPagePath): true,
	string(taxonomy.UIEvents):            true,
	string(taxonomy.UsageStatistics):     true,
}

// toWeChat reports whether a recipient is WeChat itself (or the
// Weixin-operated services on its servers), not the Mini Program's
// developer.
func toWeChat(recipient string) bool { return recipient == "wechat" || recipient == "weixin" }

// isBrowsing reports whether f is Mini Program browsing data received by
// WeChat: a page path (which only a Mini Program has), or a UI event or
// usage report attributed to an appid in the same report line or entry.
func isBrowsing(f *report.Finding) bool {
	if !browsingTypes[f.DataType] || !toWeChat(f.Recipient) {
		return false
	}
	return f.AppID != "" || f.DataType == string(taxonomy.MiniProgramPagePath)
}

// mpNumbers is what WeChat received about one Mini Program.
type mpNumbers struct {
	Pages      []string          `json:"pages"`
	UIEvents   int               `json:"ui_events"`
	StayTimes  int               `json:"stay_times"`
	Reports    int               `json:"usage_reports"`
	Endpoints  []string          `json:"endpoints"`
	Runs       []string          `json:"runs"`
	First      string            `json:"first,omitempty"`
	Last       string            `json:"last,omitempty"`
	evidenceBy map[string]string // data type → first finding
}

func (m *mpNumbers) weight() int {
	return 100*len(m.Pages) + 10*m.UIEvents + 10*m.StayTimes + m.Reports
}

func (m *mpNumbers) describe(app string) string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s%s", n, what, plural(n)))
		}
	}
	add(len(m.Pages), "page")
	add(m.UIEvents, "UI event")
	add(m.StayTimes, "stay time")
	if m.Reports > m.StayTimes {
		add(m.Reports-m.StayTimes, "other usage report")
	}
	return app + ": " + strings.Join(parts, ", ")
}

// noAppID groups browsing data whose entry names no appid (a page path
// reported alone).
const noAppID = "(appid not stated beside it)"

// miniprogramTracking: WeChat itself, not only the Mini Program's
// developer, receives what the user does inside Mini Programs.
// mpTally counts the browsing data each Mini Program's requests to
// WeChat carried.
type mpTally struct {
	mps      map[string]*mpNumbers
	seenMP   map[string]bool // appids seen at all
	runsWith map[string]bool
}

func newMPTally() mpTally {
	return mpTally{mps: map[string]*mpNumbers{}, seenMP: map[string]bool{}, runsWith: map[string]bool{}}
}

func (t *mpTally) add(f *report.Finding) {
	if f.DataType == string(taxonomy.MiniProgramID) && strings.HasPrefix(f.Evidence.Value, "wx") {
		t.seenMP[f.Evidence.Value] = true
	}
	if !isBrowsing(f) {
		return
	}
	t.runsWith[f.Run] = true
	app := f.AppID
	if app == "" {
		app = noAppID
	}
	m := t.mps[app]
	if m == nil {
		m = &mpNumbers{evidenceBy: map[string]string{}}
		t.mps[app] = m
	}
	switch f.DataType {
	case string(taxonomy.MiniProgramPagePath):
		p := strings.TrimSuffix(f.Evidence.Value, ".html")
		if !slices.Contains(m.Pages, p) && len(m.Pages) < 50 {
			m.Pages = append(m.Pages, p)
		}
	case string(taxonomy.UIEvents):
		m.UIEvents++
	case string(taxonomy.UsageStatistics):
		m.Reports++
		if isStayTime(f) {
			m.StayTimes++
		}
	}
	ep := f.URI
	if ep == "" {
		ep = fmt.Sprintf("request type %d", f.ReqType)
	}
	if !slices.Contains(m.Endpoints, ep) {
		m.Endpoints = append(m.Endpoints, ep)
	}
	if !slices.Contains(m.Runs, f.Run) {
		m.Runs = append(m.Runs, f.Run)
	}
	if f.Time != "" {
		if m.First == "" || f.Time < m.First {
			m.First = f.Time
		}
		if f.Time > m.Last {
			m.Last = f.Time
		}
	}
	if _, ok := m.evidenceBy[f.DataType]; !ok {
		m.evidenceBy[f.DataType] = f.ID
	}
}

func (t *mpTally) claim(runs []report.Run) report.Claim {
	c := report.Claim{ID: MiniProgramTracking, Title: "WeChat itself receives what you do inside Mini Programs"}
	mps, seenMP, runsWith := t.mps, t.seenMP, t.runsWith
	withPayload := 0
	for _, run := range runs {
		if run.Requests > 0 {
			withPayload++
		}
	}
	var ev evidence
	apps := sortedKeys(mps)
	for _, app := range apps {
		for _, dt := range []string{string(taxonomy.MiniProgramPagePath), string(taxonomy.UIEvents), string(taxonomy.UsageStatistics)} {
			ev.add(mps[app].evidenceBy[dt])
		}
		sort.Strings(mps[app].Endpoints)
	}
	numbers := map[string]any{}
	for app, m := range mps {
		numbers[app] = m
	}
	c.Numbers = map[string]any{
		"miniprograms":                                     numbers,
		"runs_with_miniprogram_browsing":                   len(runsWith),
		"runs_with_decrypted_payloads":                     withPayload,
		"share_runs_with_miniprogram_browsing":             share(len(runsWith), withPayload),
		"miniprograms_seen":                                len(seenMP),
		"share_runs_with_miniprogram_browsing_denominator": "runs with at least one decrypted payload",
	}
	c.Evidence = ev.list()
	named := len(mps)
	if mps[noAppID] != nil {
		named--
	}
	switch {
	case len(mps) > 0:
		c.Verdict = report.Supported
		// The Mini Programs with the most browsing data first; three named.
		sort.SliceStable(apps, func(i, j int) bool { return mps[apps[i]].weight() > mps[apps[j]].weight() })
		var parts []string
		for i, app := range apps {
			if i == 3 {
				parts = append(parts, fmt.Sprintf("and %d more", len(apps)-3))
				break
			}
			parts = append(parts, mps[app].describe(app))
		}
		c.Statement = fmt.Sprintf("WeChat's own servers, not only the Mini Programs' developers, received what the user did inside %d Mini Program%s (%s); %d of %d runs with decrypted traffic carried such browsing data.",
			max(named, 1), plural(max(named, 1)), strings.Join(parts, "; "), len(runsWith), withPayload)
		c.Why = "page paths, UI events or stay times of a Mini Program were found in requests to WeChat's servers, each tied to the appid in the same report line or entry"
	case len(seenMP) > 0:
		c.Verdict = report.Contradicted
		c.Statement = fmt.Sprintf("%d Mini Program%s were used, but no page, UI event or stay time of theirs was found in requests to WeChat's servers.", len(seenMP), plural(len(seenMP)))
		c.Why = "Mini Programs were seen, but none of their browsing data went to WeChat"
	default:
		c.Verdict = report.NotTestable
		c.Statement = "No Mini Program was used in these runs, so whether WeChat receives Mini Program usage cannot be said."
		c.Why = "no Mini Program appid or page was found; add a run that uses a Mini Program"
	}
	return c
}

func isStayTime(f *report.Finding) bool {
	p := strings.ToLower(f.Evidence.FieldPath)
	return strings.Contains(p, "staytime") || strings.Contains(p, "stay_time") || strings.Contains(strings.ToLower(f.Evidence.Reason), "stay")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
