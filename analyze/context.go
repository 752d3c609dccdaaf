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
//     report lines (CDN and Mini Program servers) are not.

import (
	"fmt"
	"net/netip"
	"sort"
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

// maxIPCandidates bounds the IP literals kept for the post-pass.
const maxIPCandidates = 1 << 16

// ipCandidate is a public IP literal seen in a request that no detector
// claimed, kept until the run's own addresses are known.
type ipCandidate struct {
	request int
	path    string
	value   string
}

// noteIPs records the public IP literals of one request.
func (a *analyzer) noteIPs(id int, fields []classify.Field) {
	for i := range fields {
		f := &fields[i]
		if f.Container || f.Kind != classify.KindText || len(f.Text) > 45 {
			continue
		}
		ad, err := netip.ParseAddr(f.Text)
		if err != nil || !ad.IsGlobalUnicast() || ad.IsPrivate() {
			continue
		}
		if len(a.ips) >= maxIPCandidates {
			return
		}
		a.ips = append(a.ips, ipCandidate{request: id, path: strings.Clone(f.Path), value: strings.Clone(f.Text)})
	}
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

// applyRunContext drops self-addressed contact findings and adds ip_address
// findings for the client's own address wherever else it was sent.
func (a *analyzer) applyRunContext() {
	rep := a.rep
	roots := runRoots(rep.Runs)
	self := map[string]map[string]bool{} // root → own user names
	myIP := map[string]map[string]bool{} // root → client IPs
	add := func(m map[string]map[string]bool, root, v string) {
		if m[root] == nil {
			m[root] = map[string]bool{}
		}
		m[root][v] = true
	}
	for _, f := range rep.Findings {
		root := roots[f.Run]
		if f.DataType == string(taxonomy.AccountID) && selfRules[f.Evidence.Rule] {
			add(self, root, f.Evidence.Value)
		}
		if f.DataType == string(taxonomy.IPAddress) && clientIPRules[f.Evidence.Rule] {
			add(myIP, root, f.Evidence.Value)
		}
	}
	changed := map[int]bool{}
	kept := rep.Findings[:0]
	for _, f := range rep.Findings {
		own := self[roots[f.Run]]
		if f.DataType == string(taxonomy.ContactsSocialGraph) && own[f.Evidence.Value] {
			changed[f.Request] = true
			continue
		}
		if f.DataType == string(taxonomy.AccountID) && wxidRules[f.Evidence.Rule] && len(own) > 0 && !own[f.Evidence.Value] {
			f.DataType = string(taxonomy.ContactsSocialGraph)
			f.Evidence.Reason = "a wxid other than the account's own (the from-user of statusnotify in this log) is another person's: a contact"
			changed[f.Request] = true
		}
		kept = append(kept, f)
	}
	rep.Findings = kept
	have := map[string]bool{}
	for _, f := range rep.Findings {
		if f.DataType == string(taxonomy.IPAddress) {
			have[fmt.Sprint(f.Request, "\x00", f.Evidence.FieldPath)] = true
		}
	}
	var extra []report.Finding
	for _, c := range a.ips {
		q := &rep.Requests[c.request]
		if !myIP[roots[q.Run]][c.value] || have[fmt.Sprint(c.request, "\x00", c.path)] {
			continue
		}
		// The first finding of the request supplies its attribution.
		var tmpl *report.Finding
		for i := range rep.Findings {
			if rep.Findings[i].Request == c.request {
				tmpl = &rep.Findings[i]
				break
			}
		}
		f := report.Finding{DataType: string(taxonomy.IPAddress), Confidence: string(taxonomy.High),
			Feature: q.Feature, Recipient: q.Recipient, URI: q.URI, ReqType: q.ReqType, Run: q.Run, Time: q.Time, Request: c.request,
			Evidence: report.Evidence{FieldPath: c.path, Value: c.value, Rule: "detector:known-client-ip",
				Reason: "the value equals the IP address the client states as its own (getnetworkinfo) in this log: the device's public address"}}
		if tmpl != nil {
			f.Permissions, f.AppID, f.Source = tmpl.Permissions, tmpl.AppID, tmpl.Source
		}
		f.ID = findingID(a.sums[c.request], reqKeyOf(q.URI, q.ReqType),
			&classify.Finding{FieldPath: f.Evidence.FieldPath, DataType: taxonomy.IPAddress, Rule: f.Evidence.Rule, Value: f.Evidence.Value}, a.ids)
		extra = append(extra, f)
		changed[c.request] = true
	}
	if len(extra) > 0 {
		rep.Findings = append(rep.Findings, extra...)
		sort.SliceStable(rep.Findings, func(i, j int) bool { return rep.Findings[i].Request < rep.Findings[j].Request })

	}
	if len(changed) == 0 {
		return
	}
	types := map[int]map[string]bool{}
	for _, f := range rep.Findings {
		if changed[f.Request] {
			if types[f.Request] == nil {
				types[f.Request] = map[string]bool{}
			}
			types[f.Request][f.DataType] = true
		}
	}
	for id := range changed {
		q := &rep.Requests[id]
		q.DataTypes = q.DataTypes[:0]
		for _, t := range taxonomy.All {
			if types[id][string(t.Name)] {
				q.DataTypes = append(q.DataTypes, string(t.Name))
			}
		}
	}
}
