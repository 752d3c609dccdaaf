package claims

import (
	"fmt"
	"slices"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// metadataTypes are the identifiers and client facts the study found on
// WeChat's requests.
var metadataTypes = []string{
	string(taxonomy.AccountID), string(taxonomy.DeviceID), string(taxonomy.ClientVersion), string(taxonomy.OSVersion),
}

// majority is the share of requests above which the identifiers are said
// to accompany requests in general.
const majority = 0.5

// metadataInRequests: the share of requests that carry the account id,
// device id, client version and OS together (and each alone), overall and
// per feature.
type metaCounts struct {
	Requests int            `json:"requests"`
	All      int            `json:"with_all"`
	Share    float64        `json:"share"`
	PerType  map[string]int `json:"per_type"`
}

// metaTally counts the requests carrying each metadata type, and all.
type metaTally struct {
	total      metaCounts
	perFeature map[string]*metaCounts
	first      map[string]string // data type → first finding in a request with all
}

func newMetaTally() metaTally {
	return metaTally{total: metaCounts{PerType: map[string]int{}}, perFeature: map[string]*metaCounts{}, first: map[string]string{}}
}

func (t *metaTally) add(q *report.Request, fs []report.Finding) {
	fc := t.perFeature[q.Feature]
	if fc == nil {
		fc = &metaCounts{PerType: map[string]int{}}
		t.perFeature[q.Feature] = fc
	}
	t.total.Requests++
	fc.Requests++
	has := map[string]bool{}
	for i := range fs {
		has[fs[i].DataType] = true
	}
	all := true
	for _, dt := range metadataTypes {
		if has[dt] {
			t.total.PerType[dt]++
			fc.PerType[dt]++
		} else {
			all = false
		}
	}
	if all {
		t.total.All++
		fc.All++
		for i := range fs {
			f := &fs[i]
			if _, ok := t.first[f.DataType]; !ok && slices.Contains(metadataTypes, f.DataType) {
				t.first[f.DataType] = f.ID
			}
		}
	}
}

func (t *metaTally) claim() report.Claim {
	c := report.Claim{ID: MetadataInRequests, Source: report.SourceWxaudit, Title: "Requests carry your account id, device id, client version and OS"}
	total, perFeature, first := t.total, t.perFeature, t.first
	total.Share = share(total.All, total.Requests)
	shares := map[string]float64{}
	for _, dt := range metadataTypes {
		shares[dt] = share(total.PerType[dt], total.Requests)
	}
	features := map[string]any{}
	for feat, fc := range perFeature {
		fc.Share = share(fc.All, fc.Requests)
		features[feat] = fc
	}
	c.Numbers = map[string]any{"requests": total.Requests, "with_all": total.All, "share": total.Share,
		"share_per_type": shares, "per_feature": features, "types": metadataTypes}
	var ev evidence
	for _, dt := range metadataTypes {
		ev.add(first[dt])
	}
	c.Evidence = ev.list()
	pct := fmt.Sprintf("%.0f%%", total.Share*100)
	// Any request that ties an action to one account and one phone is bad
	// news, whether or not they are the majority.
	c.Concern = total.All > 0
	for _, feat := range sortedKeys(perFeature) {
		if fc := perFeature[feat]; fc.Requests >= 5 && fc.Share < majority {
			c.Exceptions = append(c.Exceptions, fmt.Sprintf("%s: %d of %d requests carried all four", taxonomy.FeaturePhrase(feat), fc.All, fc.Requests))
		}
	}
	switch {
	case total.Requests == 0:
		c.Verdict = report.NotTestable
		c.Statement = "No request was analysed, so what metadata requests carry cannot be said."
		c.Why = "no request in the inputs"
		c.Next = "give analyze a capture with its key log, or a request log"
	case total.Share >= majority:
		c.Verdict = report.Supported
		c.Statement = fmt.Sprintf("%s of WeChat's requests (%d of %d) carried the account id, the device id, the client version and the OS together, tying each action to one account and one phone.", pct, total.All, total.Requests)
		c.Why = fmt.Sprintf("more than %.0f%% of requests carry all four", majority*100)
	default:
		c.Verdict = report.Contradicted
		c.Statement = fmt.Sprintf("%s of WeChat's requests (%d of %d) carried the account id, the device id, the client version and the OS together: fewer than half, but each of them ties an action to one account and one phone.", pct, total.All, total.Requests)
		c.Why = fmt.Sprintf("fewer than %.0f%% of requests carry all four", majority*100)
	}
	return c
}
