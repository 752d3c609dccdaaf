package serve

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// SortKeys are the request list's sort keys (Query.Sort), each the name
// of a column: the same order on a report folder (in memory) and on a
// corpus (in SQL), ties broken by run and capture order.
var SortKeys = []string{"run", "time", "feature", "endpoint", "recipient", "req_type", "size"}

// checkSort returns an error for a sort that is not a key of SortKeys,
// with or without a leading "-".
func checkSort(s string) error {
	if s == "" || slices.Contains(SortKeys, strings.TrimPrefix(s, "-")) {
		return nil
	}
	return fmt.Errorf("sort=%q: want one of %s, with - before it for descending", s, strings.Join(SortKeys, ", "))
}

// sqlOrder is the ORDER BY prefix of a sort (column names from a fixed
// list, never from the query), ending in ", " when set.
func sqlOrder(sort string) string {
	key, desc := strings.TrimPrefix(sort, "-"), strings.HasPrefix(sort, "-")
	col := map[string]string{
		"run": "run", "time": "time", "feature": "lower(feature)", "recipient": "lower(recipient)",
		"endpoint": "lower(CASE WHEN uri <> '' THEN uri WHEN req_type <> 0 THEN 'req ' || req_type ELSE '' END)", "req_type": "req_type", "size": "size",
	}[key]
	if col == "" {
		return ""
	}
	if desc {
		return col + " DESC, "
	}
	return col + ", "
}

// sortRequests orders idx (indexes into reqs, in run and capture order)
// by sort, stably, as sqlOrder does.
func sortRequests(reqs []Request, idx []int, sort string) {
	key, desc := strings.TrimPrefix(sort, "-"), strings.HasPrefix(sort, "-")
	by := func(a, b *Request) int {
		switch key {
		case "run":
			return cmp.Compare(a.Run, b.Run)
		case "time":
			return cmp.Compare(a.Time, b.Time)
		case "feature":
			return cmp.Compare(strings.ToLower(a.Feature), strings.ToLower(b.Feature))
		case "recipient":
			return cmp.Compare(strings.ToLower(a.Recipient), strings.ToLower(b.Recipient))
		case "endpoint":
			return cmp.Compare(strings.ToLower(a.Endpoint()), strings.ToLower(b.Endpoint()))
		case "req_type":
			return cmp.Compare(a.ReqType, b.ReqType)
		case "size":
			return cmp.Compare(a.Size, b.Size)
		}
		return 0
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		c := by(&reqs[i], &reqs[j])
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		// Ties: run, then capture order, as the corpus's ORDER BY.
		if c := cmp.Compare(reqs[i].Run, reqs[j].Run); c != 0 {
			return c
		}
		return cmp.Compare(reqs[i].Seq, reqs[j].Seq)
	})
}

// parseListQuery is parseQuery with the list's sort (?sort=).
func parseListQuery(r *http.Request) (*listForm, Query, error) {
	f, q, err := parseQuery(r)
	if err != nil {
		return f, q, err
	}
	f.Sort = r.URL.Query().Get("sort")
	if err := checkSort(f.Sort); err != nil {
		return f, q, &badRequest{err}
	}
	q.Sort = f.Sort
	return f, q, nil
}

// SortHref is the list sorted by key: ascending, or descending when it is
// already sorted up by key.
func (d *listData) SortHref(key string) string {
	v := url.Values{}
	if d.Form.Expr != "" {
		v.Set("where", d.Form.Expr)
	}
	if d.Form.Text != "" {
		v.Set("q", d.Form.Text)
	}
	s := key
	if d.Form.Sort == key {
		s = "-" + key
	}
	v.Set("sort", s)
	return "/requests?" + v.Encode()
}

// AriaSort is the aria-sort of key's column header.
func (d *listData) AriaSort(key string) string {
	switch d.Form.Sort {
	case key:
		return "ascending"
	case "-" + key:
		return "descending"
	}
	return "none"
}
