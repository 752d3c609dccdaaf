package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Side is what only one side of a diff has.
type Side struct {
	Label     string     `json:"label"`
	DataTypes []DiffItem `json:"data_types"`
	ReqTypes  []DiffItem `json:"req_types"`
	Values    []DiffItem `json:"values"`
}

// DiffItem is one difference with its evidence (finding IDs on that side).
type DiffItem struct {
	Key      string   `json:"key"`
	DataType string   `json:"data_type,omitempty"`
	Count    int      `json:"count"`
	Findings []string `json:"findings,omitempty"`
	Example  string   `json:"example,omitempty"` // field path and request of the first finding
}

// DiffResult lists what only A and only B send.
type DiffResult struct {
	OnlyA Side `json:"only_a"`
	OnlyB Side `json:"only_b"`
}

// maxDiffEvidence bounds the finding IDs kept per item.
const maxDiffEvidence = 10

// Diff compares the findings and requests of two sets of runs (e.g. a
// permission-off and a permission-on run): data types, request types and
// (data type, value) pairs present in one and not the other. Requests are
// taken from the reports' request lists when present, else from findings.
func Diff(a, b *Report, labelA, labelB string) DiffResult {
	ia, ib := index(a), index(b)
	return DiffResult{
		OnlyA: ia.minus(ib, labelA),
		OnlyB: ib.minus(ia, labelB),
	}
}

type sideIndex struct {
	types, reqs, values map[string]*DiffItem
}

func index(r *Report) sideIndex {
	ix := sideIndex{types: map[string]*DiffItem{}, reqs: map[string]*DiffItem{}, values: map[string]*DiffItem{}}
	add := func(m map[string]*DiffItem, key, dt string, f *Finding) {
		it := m[key]
		if it == nil {
			it = &DiffItem{Key: key, DataType: dt}
			m[key] = it
		}
		it.Count++
		if f != nil && len(it.Findings) < maxDiffEvidence {
			it.Findings = append(it.Findings, f.ID)
			if it.Example == "" {
				it.Example = reqName(f.URI, f.ReqType) + " " + f.Evidence.FieldPath
			}
		}
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		add(ix.types, f.DataType, f.DataType, f)
		add(ix.values, f.DataType+"="+f.Evidence.Value, f.DataType, f)
		if len(r.Requests) == 0 {
			add(ix.reqs, reqName(f.URI, f.ReqType), "", nil)
		}
	}
	for _, q := range r.Requests {
		add(ix.reqs, reqName(q.URI, q.ReqType), "", nil)
	}
	return ix
}

func (ix sideIndex) minus(o sideIndex, label string) Side {
	s := Side{Label: label}
	s.DataTypes = only(ix.types, o.types)
	s.ReqTypes = only(ix.reqs, o.reqs)
	s.Values = only(ix.values, o.values)
	return s
}

func only(a, b map[string]*DiffItem) []DiffItem {
	var out []DiffItem
	for k, it := range a {
		if _, ok := b[k]; !ok {
			out = append(out, *it)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func reqName(uri string, reqType int) string {
	if uri != "" {
		return uri
	}
	return "req " + strconv.Itoa(reqType)
}

// Only returns a report restricted to the named runs (r itself when none
// are named). The result shares r's runs, requests and findings.
func (r *Report) Only(runs ...string) *Report {
	if len(runs) == 0 {
		return r
	}
	want := map[string]bool{}
	for _, x := range runs {
		want[x] = true
	}
	out := &Report{}
	for _, run := range r.Runs {
		if want[run.Label] {
			out.Runs = append(out.Runs, run)
		}
	}
	for _, q := range r.Requests {
		if want[q.Run] {
			out.Requests = append(out.Requests, q)
		}
	}
	for _, f := range r.Findings {
		if want[f.Run] {
			out.Findings = append(out.Findings, f)
		}
	}
	return out
}

// CheckRuns returns an error naming the labels of runs that r does not
// hold, with the labels it does hold as the hint: selecting an unknown run
// must not compare against nothing.
func (r *Report) CheckRuns(runs ...string) error {
	have := map[string]bool{}
	var labels []string
	for _, run := range r.Runs {
		have[run.Label] = true
		labels = append(labels, run.Label)
	}
	var missing []string
	for _, x := range runs {
		if !have[x] {
			missing = append(missing, fmt.Sprintf("%q", x))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &unknownRunError{missing: missing, have: labels}
}

// unknownRunError names the runs asked for and not held; its hint lists the
// runs that are.
type unknownRunError struct{ missing, have []string }

func (e *unknownRunError) Error() string { return "no run " + strings.Join(e.missing, ", ") }
func (e *unknownRunError) Hint() string  { return "the runs are: " + strings.Join(e.have, ", ") }

// WriteText writes the difference as indented text: for each side, its data
// types, request types and values, each with a few finding IDs and an
// example field path.
func (d DiffResult) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, s := range []Side{d.OnlyA, d.OnlyB} {
		fmt.Fprintf(bw, "only in %s:\n", s.Label)
		writeDiffItems(bw, "data types", s.DataTypes)
		writeDiffItems(bw, "request types", s.ReqTypes)
		writeDiffItems(bw, "values", s.Values)
	}
	return bw.Flush()
}

// Redacted returns d as a shared report shows it: values pseudonymised
// (coordinates coarsened), labels and examples scrubbed of identifying
// values. d is not changed.
func (d DiffResult) Redacted(rd *Redactor) DiffResult {
	out := d
	for _, side := range []*Side{&out.OnlyA, &out.OnlyB} {
		side.Label = rd.Text(side.Label)
		for _, items := range []*[]DiffItem{&side.DataTypes, &side.ReqTypes, &side.Values} {
			its := make([]DiffItem, len(*items))
			for i, it := range *items {
				if dt, v, ok := strings.Cut(it.Key, "="); ok && items == &side.Values {
					f := Finding{DataType: dt, Evidence: Evidence{Value: v}}
					it.Key = dt + "=" + rd.Value(&f)
				} else {
					it.Key = rd.Text(it.Key)
				}
				it.Example = rd.Text(it.Example)
				its[i] = it
			}
			sort.SliceStable(its, func(i, j int) bool { return its[i].Key < its[j].Key })
			*items = its
		}
	}
	return out
}

func writeDiffItems(w io.Writer, title string, items []DiffItem) {
	if len(items) == 0 {
		fmt.Fprintf(w, "  %s: none\n", title)
		return
	}
	fmt.Fprintf(w, "  %s:\n", title)
	for _, it := range items {
		ev := ""
		if len(it.Findings) > 0 {
			ev = fmt.Sprintf(" [%s; e.g. %s]", strings.Join(it.Findings, " "), it.Example)
		}
		fmt.Fprintf(w, "    %s (%d)%s\n", it.Key, it.Count, ev)
	}
}
