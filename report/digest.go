package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// digest is what the shared files show beyond each finding, computed from
// the redacted report a request at a time: counts, summaries, the split
// into HTML pages, and the few finding IDs the overview links to. Its
// memory is bounded by the distinct runs, types, features, endpoints and
// Mini Program pages, plus each request's page (reqPage); the requests
// themselves are read back from their spool (heads.go).
type digest struct {
	head     *Report         // redacted: runs, errors, policy, claims
	heads    *heads          // the requests, redacted, without payloads
	cur      *headCursor     // reading heads for the evidence pages
	features map[string]bool // every request's feature
	nFinds   int
	gaps     []GapGroup
	sum      *summarizer
	sumDone  Summary
	flows    flowTable
	types    map[string]bool // every data type found
	firstOf  []Finding       // the first finding of each run × data type
	seenRT   map[string]bool
	matrix   map[string]map[string]int // data type → feature → findings
	mxFirst  map[string]string         // data type, feature → first finding
	want     map[string]bool           // finding IDs the overview links to
	idReq    map[string]int            // finding ID → request, for those
	reqPage  map[int]int               // request ID → HTML page
	pageN    int                       // findings on the last page
	pages    int
	names    []string // pageNames, once the pages are known
}

func newDigest(head *Report) *digest {
	d := &digest{head: head, sum: newSummarizer(head.Runs),
		flows: flowTable{index: map[flowKey]int{}}, types: map[string]bool{}, seenRT: map[string]bool{},
		matrix: map[string]map[string]int{}, mxFirst: map[string]string{}, want: map[string]bool{},
		idReq: map[string]int{}, reqPage: map[int]int{}}
	d.gaps = head.GroupGaps()
	for _, c := range head.Claims {
		for _, id := range c.Evidence {
			d.want[id] = true
		}
	}
	for _, g := range d.gaps {
		for _, id := range g.Evidence {
			d.want[id] = true
		}
	}
	return d
}

// setRequests gives the digest the report's requests (redacted, without
// payloads), read from their spool now and again for the pages.
func (d *digest) setRequests(h *heads) error {
	d.heads, d.features = h, map[string]bool{}
	return h.each(func(q *Request) error {
		d.sum.request(q)
		d.features[q.Feature] = true
		return nil
	})
}

// requestHead returns the request with the given ID for an evidence heading:
// Request{ID: id} when the id-th request added does not have that ID.
func (d *digest) requestHead(id int) (Request, error) {
	if id < 0 || id >= d.heads.n {
		return Request{ID: id}, nil
	}
	if d.cur == nil {
		c, err := d.heads.cursor()
		if err != nil {
			return Request{}, err
		}
		d.cur = c
	}
	q, err := d.cur.index(id)
	if err != nil {
		return Request{}, err
	}
	if q.ID != id {
		return Request{ID: id}, nil
	}
	return *q, nil
}

// findings adds the findings of one request.
func (d *digest) findings(fs []Finding) {
	if len(fs) == 0 {
		return
	}
	d.nFinds += len(fs)
	id := fs[0].Request
	if _, ok := d.reqPage[id]; !ok {
		if d.pages == 0 || (d.pageN+len(fs) > findingsPerPage && d.pageN > 0) {
			d.pages++
			d.pageN = 0
		}
		d.reqPage[id] = d.pages - 1
	}
	d.pageN += len(fs)
	d.sum.findings(fs)
	for i := range fs {
		f := &fs[i]
		d.flows.add(f)
		d.types[f.DataType] = true
		if k := f.Run + "\x00" + f.DataType; !d.seenRT[k] {
			d.seenRT[k] = true
			d.firstOf = append(d.firstOf, *f)
		}
		m := d.matrix[f.DataType]
		if m == nil {
			m = map[string]int{}
			d.matrix[f.DataType] = m
		}
		m[f.Feature]++
		if k := f.DataType + "\x00" + f.Feature; d.mxFirst[k] == "" {
			d.mxFirst[k] = f.ID
			d.idReq[f.ID] = f.Request
		}
		if d.want[f.ID] || f.Coord != nil {
			d.idReq[f.ID] = f.Request
		}
	}
}

// pageNames are the HTML pages: report.html, then evidence-N.html.
func (d *digest) pageNames() []string {
	if len(d.names) == max(1, d.pages) {
		return d.names
	}
	names := make([]string, max(1, d.pages))
	names[0] = HTMLFile
	for i := 1; i < len(names); i++ {
		names[i] = fmt.Sprintf("evidence-%d.html", i)
	}
	d.names = names
	return names
}

// dataTypes lists the data types found, in taxonomy order.
func (d *digest) dataTypes() []string {
	set := make(map[string]bool, len(d.types))
	for k := range d.types {
		set[k] = true
	}
	return taxonomyOrder(set)
}

// flowTable is flows.csv: findings per (run, data type, feature,
// recipient, permissions) with their endpoints, in order of first
// appearance.
type flowTable struct {
	index map[flowKey]int
	rows  []flowRow
}

type flowKey struct{ run, dt, feat, rcpt, perm string }

type flowRow struct {
	key       flowKey
	findings  int
	endpoints map[string]bool
}

func (t *flowTable) add(f *Finding) {
	k := flowKey{f.Run, f.DataType, f.Feature, f.Recipient, f.Permissions}
	i, ok := t.index[k]
	if !ok {
		i = len(t.rows)
		t.index[k] = i
		t.rows = append(t.rows, flowRow{key: k, endpoints: map[string]bool{}})
	}
	t.rows[i].findings++
	t.rows[i].endpoints[reqKey(f.URI, f.ReqType)] = true
}

func (t *flowTable) write(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"run", "permissions", "data_type", "feature", "recipient", "findings", "endpoints"})
	for _, r := range t.rows {
		eps := make([]string, 0, len(r.endpoints))
		for e := range r.endpoints {
			eps = append(eps, e)
		}
		sort.Strings(eps)
		k := r.key
		cw.Write([]string{k.run, k.perm, k.dt, k.feat, k.rcpt, strconv.Itoa(r.findings), strings.Join(eps, ";")})
	}
	cw.Flush()
	return cw.Error()
}

// writePages writes report.html and the evidence pages; replay calls its
// function with the redacted findings of each request, in order.
func (d *digest) writePages(dir string, replay func(func([]Finding) error) error) error {
	defer func() {
		if d.cur != nil {
			d.cur.close()
			d.cur = nil
		}
	}()
	names := d.pageNames()
	page := 0
	var ev []htmlRequest
	rules := map[string]string{}
	var ruleOrder []string
	flush := func() error {
		var rs []htmlRule
		for _, r := range ruleOrder {
			rs = append(rs, htmlRule{r, rules[r]})
		}
		sort.Slice(rs, func(i, j int) bool { return rs[i].Rule < rs[j].Rule })
		err := writeFile(filepath.Join(dir, names[page]), func(w io.Writer) error { return d.writeHTML(w, page, ev, rs) })
		ev, ruleOrder = nil, nil
		clear(rules)
		return err
	}
	written := map[int]bool{}
	err := replay(func(fs []Finding) error {
		p := d.reqPage[fs[0].Request]
		if p != page {
			if err := flush(); err != nil {
				return err
			}
			written[page] = true
			page = p
		}
		hr, err := d.htmlEvidence(fs, page)
		if err != nil {
			return err
		}
		ev = append(ev, hr)
		for i := range fs {
			if r := fs[i].Evidence.Rule; !hasKey(rules, r) {
				ruleOrder = append(ruleOrder, r)
				rules[r] = fs[i].Evidence.Reason
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	written[page] = true
	// Every page exists, even when the findings came out of order.
	for i := range names {
		if !written[i] {
			page = i
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}
