package analyze

// Run context: what one request cannot know alone but the run (or the log
// it grew from) says. Two facts are used, both learned from what the client
// itself states:
//
//   - the account's own user names (statusnotify's from-user): a message a
//     user sends to themselves discloses no contact, so a recipient equal to
//     the account is not contacts_social_graph; and a wxid that is not the
//     account's own is another person's, a contact, not account_id;
//   - the client's own IP addresses (getnetworkinfo, where the client states
//     the address it has): the same literal in any other request is the
//     client's IP, however the report line lays it out, while other IPs in
//     report lines (CDN and Mini Program servers) are not;
//   - the account's uin (the BaseRequest's field 2): the same number sent
//     bare in a request without a BaseRequest (the Longlink identify
//     check) is the account id.

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// selfRules are rules whose account_id findings name the account itself.
var selfRules = map[string]bool{"rule:statusnotify-from": true, classify.SelfNotifyRule: true}

// wxidRules are detectors that read any wxid as an account id; the run
// decides whose it is.
var wxidRules = map[string]bool{"detector:value-wxid": true}

// clientIPRules are rules whose ip_address findings are an address the
// client states as its own.
var clientIPRules = map[string]bool{"rule:getnetworkinfo-client-ip": true}

// maxIPCandidates bounds the IP literals kept for the second pass.
const maxIPCandidates = 1 << 16

// ipCandidate is a public IP literal seen in a request that no detector
// claimed, kept until the run's own addresses are known.
type ipCandidate struct {
	Path  string
	Value string
}

// noteIPs records the public IP literals of one request.
func (a *analyzer) noteIPs(rec *record, fields []classify.Field) {
	for i := range fields {
		f := &fields[i]
		if f.Container || f.Kind != classify.KindText || len(f.Text) > 45 {
			continue
		}
		ad, err := netip.ParseAddr(f.Text)
		if err != nil || !ad.IsGlobalUnicast() || ad.IsPrivate() {
			continue
		}
		if a.nIPs >= maxIPCandidates {
			return
		}
		a.nIPs++
		rec.IPs = append(rec.IPs, ipCandidate{Path: strings.Clone(f.Path), Value: strings.Clone(f.Text)})
	}
}

// noteUins records the numbers of a request that states no account id and
// could be a uin (32-bit, at least seven digits), until the run's own uin
// is known.
func (a *analyzer) noteUins(rec *record, fields []classify.Field) {
	for _, f := range rec.Findings {
		if f.DataType == string(taxonomy.AccountID) {
			return
		}
	}
	for i := range fields {
		f := &fields[i]
		if f.Container || f.Kind != classify.KindVarint || f.Uint < 1_000_000 || f.Uint >= 1<<32 {
			continue
		}
		if a.nUins >= maxIPCandidates {
			return
		}
		a.nUins++
		rec.Uins = append(rec.Uins, ipCandidate{Path: strings.Clone(f.Path), Value: strconv.FormatUint(f.Uint, 10)})
	}
}

// uinRules are rules whose account_id findings are the account's uin.
var uinRules = map[string]bool{"detector:base-request": true}

// facts are what the client states about itself, per run: its own user
// names, uins and IP addresses. They are few (a handful per run), whatever
// the number of requests.
type facts struct {
	self map[string]map[string]bool // run → own user names
	myIP map[string]map[string]bool // run → client IPs
	uin  map[string]map[string]bool // run → the account's uins
	// place holds, per run, the location evidence that orients a pair
	// no single request could (classify.Evidence): fixes whose axis
	// order is certain, carrier codes, time zones, locales.
	place map[string][]classify.Finding
}

// maxPlaceFacts bounds the location evidence kept per run.
const maxPlaceFacts = 64

func newFacts() *facts {
	return &facts{self: map[string]map[string]bool{}, myIP: map[string]map[string]bool{}, uin: map[string]map[string]bool{},
		place: map[string][]classify.Finding{}}
}

func addFact(m map[string]map[string]bool, key, v string) {
	if m[key] == nil {
		m[key] = map[string]bool{}
	}
	m[key][v] = true
}

// learn notes the facts one request's findings state.
func (fc *facts) learn(fs []report.Finding) {
	for i := range fs {
		f := &fs[i]
		if f.DataType == string(taxonomy.AccountID) && selfRules[f.Evidence.Rule] {
			addFact(fc.self, f.Run, f.Evidence.Value)
		}
		if f.DataType == string(taxonomy.IPAddress) && clientIPRules[f.Evidence.Rule] {
			addFact(fc.myIP, f.Run, f.Evidence.Value)
		}
		if f.DataType == string(taxonomy.AccountID) && uinRules[f.Evidence.Rule] && strings.HasSuffix(f.Evidence.FieldPath, ".2") {
			addFact(fc.uin, f.Run, f.Evidence.Value)
		}
		placeFact := f.DataType == string(taxonomy.CellCarrier) || f.DataType == string(taxonomy.Timezone) || f.DataType == string(taxonomy.LanguageLocale) ||
			f.Coord != nil && f.Coord.Axes != classify.AxesAmbiguous && f.Coord.Axes != classify.AxesSwapped
		if placeFact && len(fc.place[f.Run]) < maxPlaceFacts {
			fc.place[f.Run] = append(fc.place[f.Run], classify.Finding{DataType: taxonomy.DataType(f.DataType), Value: f.Evidence.Value, Coord: f.Coord})
		}
	}
}

// runContext holds the facts by log (the root of each run), for the
// second pass.
type runContext struct {
	roots map[string]string
	self  map[string]map[string]bool    // root → own user names
	myIP  map[string]map[string]bool    // root → client IPs
	uin   map[string]map[string]bool    // root → the account's uins
	place map[string]*classify.Evidence // root → location evidence
}

// context pools the facts of the runs of one log.
func (fc *facts) context(runs []report.Run) *runContext {
	c := &runContext{roots: runRoots(runs), self: map[string]map[string]bool{}, myIP: map[string]map[string]bool{}, uin: map[string]map[string]bool{}}
	for run, vs := range fc.uin {
		for v := range vs {
			addFact(c.uin, c.roots[run], v)
		}
	}
	c.place = map[string]*classify.Evidence{}
	for run, fs := range fc.place {
		ev := c.place[c.roots[run]]
		if ev == nil {
			ev = &classify.Evidence{}
			c.place[c.roots[run]] = ev
		}
		ev.Learn(fs)
	}
	for run, vs := range fc.self {
		for v := range vs {
			addFact(c.self, c.roots[run], v)
		}
	}
	for run, vs := range fc.myIP {
		for v := range vs {
			addFact(c.myIP, c.roots[run], v)
		}
	}
	return c
}

// runRoots maps each run to the first run of its log (following Extends),
// so that facts learned in one segment hold for the others of that log.
func runRoots(runs []report.Run) map[string]string {
	ext := map[string]string{}
	for _, r := range runs {
		ext[r.Label] = r.Extends
	}
	roots := map[string]string{}
	for _, r := range runs {
		l := r.Label
		for i := 0; i < len(runs) && ext[l] != ""; i++ {
			l = ext[l]
		}
		roots[r.Label] = l
	}
	return roots
}

// orient decides the axis order of the request's ambiguous coordinates
// with the evidence of the whole log (other requests' fixes, carrier, time
// zone, locale), and drops the other reading of those it decides. It
// reports whether it changed anything.
func (c *runContext) orient(rec *record, ev *classify.Evidence) bool {
	if ev == nil {
		return false
	}
	decided := map[string]bool{}
	for i := range rec.Findings {
		f := &rec.Findings[i]
		co, why, ok := ev.Decide(f.Coord)
		if !ok {
			continue
		}
		f.Coord = &co
		f.Confidence = string(classify.CoordConfidence(&co))
		f.Evidence.Reason = classify.DecidedReason(f.Evidence.Reason, why+" in this log")
		decided[f.Evidence.FieldPath+"\x00"+f.Evidence.Rule] = true
	}
	if len(decided) == 0 {
		return false
	}
	kept := rec.Findings[:0]
	for _, f := range rec.Findings {
		if f.Coord != nil && f.Coord.Axes == classify.AxesSwapped && decided[f.Evidence.FieldPath+"\x00"+f.Evidence.Rule] {
			continue
		}
		kept = append(kept, f)
	}
	rec.Findings = kept
	return true
}

// complete turns the request's self-addressed contact findings into the
// account's own name, reads a wxid other than the account's as a contact, and adds
// ip_address findings for the client's own address where it was sent.
func (c *runContext) complete(rec *record, ids map[[6]byte]uint32) {
	q := &rec.Request
	root := c.roots[q.Run]
	own := c.self[root]
	changed := false
	kept := rec.Findings[:0]
	for _, f := range rec.Findings {
		if f.DataType == string(taxonomy.ContactsSocialGraph) && own[f.Evidence.Value] {
			// Sent to oneself: no contact, but the account's own name.
			f.DataType = string(taxonomy.AccountID)
			f.Evidence.Reason = "the other party is the account itself (the from-user of statusnotify in this log): its own user name, not a contact"
			changed = true
		}
		if f.DataType == string(taxonomy.AccountID) && wxidRules[f.Evidence.Rule] && len(own) > 0 && !own[f.Evidence.Value] {
			f.DataType = string(taxonomy.ContactsSocialGraph)
			f.Evidence.Reason = "a wxid other than the account's own (the from-user of statusnotify in this log) is another person's: a contact"
			changed = true
		}
		kept = append(kept, f)
	}
	rec.Findings = kept
	if c.orient(rec, c.place[root]) {
		changed = true
	}
	var have map[string]bool
	for _, f := range rec.Findings {
		if f.DataType == string(taxonomy.IPAddress) {
			if have == nil {
				have = map[string]bool{}
			}
			have[f.Evidence.FieldPath] = true
		}
	}
	var extra []report.Finding
	for _, cand := range rec.IPs {
		if !c.myIP[root][cand.Value] || have[cand.Path] {
			continue
		}
		f := runLevelFinding(rec, q, taxonomy.IPAddress, cand.Path, cand.Value, "detector:known-client-ip",
			"the value equals the IP address the client states as its own (getnetworkinfo) in this log: the device's public address", ids)
		extra = append(extra, f)
		changed = true
	}
	for _, cand := range rec.Uins {
		if !c.uin[root][cand.Value] {
			continue
		}
		f := runLevelFinding(rec, q, taxonomy.AccountID, cand.Path, cand.Value, "detector:known-uin",
			"the number equals the account's uin (the BaseRequest's field 2 in this log): the account id, sent without a BaseRequest", ids)
		extra = append(extra, f)
		changed = true
		break // one finding says it: the rest of the request's numbers are not looked at
	}
	rec.Findings = append(rec.Findings, extra...)
	if !changed {
		return
	}
	types := map[string]bool{}
	for _, f := range rec.Findings {
		types[f.DataType] = true
	}
	q.DataTypes = q.DataTypes[:0]
	for _, t := range taxonomy.All {
		if types[string(t.Name)] {
			q.DataTypes = append(q.DataTypes, string(t.Name))
		}
	}
}

// runLevelFinding is a finding that only the whole run's facts could make
// (a value equal to the client's own IP or uin). The request's first
// finding supplies its attribution.
func runLevelFinding(rec *record, q *report.Request, dt taxonomy.DataType, path, value, rule, reason string, ids map[[6]byte]uint32) report.Finding {
	f := report.Finding{DataType: string(dt), Confidence: string(taxonomy.High),
		Feature: q.Feature, Recipient: q.Recipient, URI: q.URI, ReqType: q.ReqType, Run: q.Run, Time: q.Time, Request: q.ID,
		Evidence: report.Evidence{FieldPath: path, Value: value, Rule: rule, Reason: reason}}
	if len(rec.Findings) > 0 {
		tmpl := &rec.Findings[0]
		f.Permissions, f.AppID, f.Source = tmpl.Permissions, tmpl.AppID, tmpl.Source
	}
	f.ID = findingID(rec.Sum, reqKeyOf(q.URI, q.ReqType), &classify.Finding{FieldPath: path, DataType: dt, Rule: rule, Value: value}, ids)
	return f
}
