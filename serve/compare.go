package serve

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/wxaudit/wxaudit/filter"
	"github.com/wxaudit/wxaudit/report"
)

// Comparing two requests: typically the same request type in two runs.
// Both trees are flattened to (field path → shown value), so the
// comparison only ever sees what the request pages show.

// fieldDiff is one field that differs between two requests.
type fieldDiff struct {
	Path string `json:"path"`
	Name string `json:"name,omitempty"`
	Kind string `json:"kind"`
	A    string `json:"a,omitempty"`
	B    string `json:"b,omitempty"`
}

// compareResult is the comparison of request A with request B.
type compareResult struct {
	A, B      *comparedRequest
	Added     []fieldDiff `json:"added"`   // in B only
	Removed   []fieldDiff `json:"removed"` // in A only
	Changed   []fieldDiff `json:"changed"`
	Unchanged int         `json:"unchanged"`
}

type comparedRequest struct {
	Request
	Findings []report.Finding `json:"findings"`
	// NoPayload is set when the source holds no payload for it.
	NoPayload bool `json:"no_payload,omitempty"`
}

// leaf is one flattened field.
type leaf struct {
	name, kind, value string
}

// flatten lists a tree's leaves by path; a path seen again (a repeated
// field) gets "#2", "#3"… so repeated values pair up in order.
func flatten(n *treeNode, out map[string]leaf, order *[]string) {
	if n == nil {
		return
	}
	if len(n.Children) == 0 {
		key := n.Path
		for i := 2; ; i++ {
			if _, ok := out[key]; !ok {
				break
			}
			key = n.Path + "#" + strconv.Itoa(i)
		}
		out[key] = leaf{n.Name, n.Kind, n.Value}
		*order = append(*order, key)
		return
	}
	for _, c := range n.Children {
		flatten(c, out, order)
	}
}

// resolveRequest finds a request by the ID its page uses, or by RUN:N
// where N is the report's request number (a report folder's IDs are
// numbers; a corpus's are already RUN:N).
func (s *server) resolveRequest(ctx context.Context, id string) (*requestData, error) {
	d, err := s.loadRequest(ctx, id)
	if !errors.Is(err, ErrNotFound) {
		return d, err
	}
	run, n, ok := splitReqID(id)
	if !ok {
		return nil, err
	}
	if _, named := s.src.(requestNamer); named {
		return nil, err
	}
	d, err2 := s.loadRequest(ctx, itoa(n))
	if err2 != nil || d.Q.Run != run {
		return nil, ErrNotFound
	}
	return d, nil
}

func (s *server) compareRequests(ctx context.Context, a, b string) (*compareResult, error) {
	da, err := s.resolveRequest(ctx, a)
	if err != nil {
		return nil, err
	}
	db, err := s.resolveRequest(ctx, b)
	if err != nil {
		return nil, err
	}
	res := &compareResult{}
	fa, fb := map[string]leaf{}, map[string]leaf{}
	var oa, ob []string
	for _, x := range []struct {
		d     *requestData
		to    **comparedRequest
		m     map[string]leaf
		order *[]string
	}{{da, &res.A, fa, &oa}, {db, &res.B, fb, &ob}} {
		c := &comparedRequest{Request: s.shownRequest(x.d.Q.Request), Findings: x.d.Findings}
		if c.Findings == nil {
			c.Findings = []report.Finding{}
		}
		// Side by side: the same order on both sides.
		sort.SliceStable(c.Findings, func(i, j int) bool {
			a, b := c.Findings[i], c.Findings[j]
			if a.Evidence.FieldPath != b.Evidence.FieldPath {
				return a.Evidence.FieldPath < b.Evidence.FieldPath
			}
			return a.DataType < b.DataType
		})
		if x.d.View == nil {
			c.NoPayload = true
		} else {
			flatten(x.d.View.Root, x.m, x.order)
		}
		*x.to = c
	}
	for _, k := range oa {
		la := fa[k]
		lb, ok := fb[k]
		switch {
		case !ok:
			res.Removed = append(res.Removed, fieldDiff{Path: k, Name: la.name, Kind: la.kind, A: la.value})
		case la.value != lb.value || la.kind != lb.kind:
			res.Changed = append(res.Changed, fieldDiff{Path: k, Name: firstNonEmpty(lb.name, la.name), Kind: lb.kind, A: la.value, B: lb.value})
		default:
			res.Unchanged++
		}
	}
	for _, k := range ob {
		if _, ok := fa[k]; !ok {
			lb := fb[k]
			res.Added = append(res.Added, fieldDiff{Path: k, Name: lb.name, Kind: lb.kind, B: lb.value})
		}
	}
	return res, nil
}

// compareData is the compare page.
type compareData struct {
	A, B string
	Res  *compareResult
	Err  string
	// Others are the same endpoint's first request in each other run, to
	// pick B from when only A is given.
	Others []Request
}

func (s *server) compare(w http.ResponseWriter, r *http.Request) {
	d := &compareData{A: r.URL.Query().Get("a"), B: r.URL.Query().Get("b")}
	ctx := r.Context()
	switch {
	case d.A != "" && d.B != "":
		res, err := s.compareRequests(ctx, d.A, d.B)
		switch {
		case errors.Is(err, ErrNotFound):
			d.Err = "no such request"
			w.WriteHeader(http.StatusNotFound)
		case err != nil:
			s.fail(w, r, err)
			return
		default:
			d.Res = res
		}
	case d.A != "":
		others, err := s.sameEndpoint(ctx, d.A)
		if errors.Is(err, ErrNotFound) {
			d.Err = "no such request"
			w.WriteHeader(http.StatusNotFound)
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Others = others
	}
	s.render(w, "compare", &page{Title: "Compare requests", Nav: "requests", Data: d})
}

func (s *server) apiCompare(w http.ResponseWriter, r *http.Request) {
	res, err := s.compareRequests(r.Context(), r.URL.Query().Get("a"), r.URL.Query().Get("b"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, res)
}

// sameEndpoint returns the first request to a's endpoint in each run but
// a's.
func (s *server) sameEndpoint(ctx context.Context, a string) ([]Request, error) {
	d, err := s.resolveRequest(ctx, a)
	if err != nil {
		return nil, err
	}
	o, err := s.src.Overview(ctx)
	if err != nil {
		return nil, err
	}
	var out []Request
	for _, run := range o.Runs {
		if run.Label == d.Q.Run {
			continue
		}
		e, err := filter.Parse("run=" + quoteValue(run.Label) + " endpoint=" + quoteValue(d.Q.Endpoint()))
		if err != nil {
			continue
		}
		p, err := s.src.Requests(ctx, Query{Where: e, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(p.Requests) > 0 {
			out = append(out, s.shownRequest(p.Requests[0]))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Run < out[j].Run })
	return out, nil
}

// compareHref links the comparison of two requests.
func compareHref(a, b string) string {
	v := url.Values{"a": {a}}
	if b != "" {
		v.Set("b", b)
	}
	return "/compare?" + v.Encode()
}
