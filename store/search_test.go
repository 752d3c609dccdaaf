package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/wxaudit/wxaudit/report"
)

// searchLike is a LIKE scan of every value: the oracle Search must agree
// with.
func (s *Store) searchLike(ctx context.Context, q string, f SearchFilter) ([]Hit, error) {
	return s.searchOld(ctx, `s.value LIKE ? ESCAPE '\'`, "%"+strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)+"%", f)
}

// searchOld is the query of schema 2's Search: strings matching match,
// sorted.
func (s *Store) searchOld(ctx context.Context, match string, arg any, f SearchFilter) ([]Hit, error) {
	args := []any{arg}
	if f.Run != "" {
		match += ` AND s.run = ?`
		args = append(args, f.Run)
	}
	return s.hits(ctx, `SELECT s.run, s.request, s.field_path, s.value, coalesce(r.feature, ''), coalesce(r.uri, '')
		FROM strings s LEFT JOIN requests r ON r.run = s.run AND r.id = s.request
		WHERE `+match+` ORDER BY s.run, s.request, s.id`, args, f.Page)
}

// searchBefore is Search as it was before the gram tables (schema 2): a
// LIKE scan for queries of one or two characters, the trigram index and a
// sort of all its hits for longer ones. BenchmarkSearch's "before".
func (s *Store) searchBefore(ctx context.Context, q string, f SearchFilter) ([]Hit, error) {
	if utf8.RuneCountInString(q) < 3 {
		return s.searchLike(ctx, q, f)
	}
	return s.searchOld(ctx, `s.id IN (SELECT rowid FROM strings_fts WHERE strings_fts MATCH ?)`, `"`+strings.ReplaceAll(q, `"`, `""`)+`"`, f)
}

// TestSearchGramsAgreeWithLike: for every one- and two-character query
// drawn from the values (and some found nowhere), the gram table gives
// the LIKE scan's hits in its order, page by page and per run, over runs
// stored out of label order whose payloads come out of request order,
// with values that repeat.
func TestSearchGramsAgreeWithLike(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	// Values seen again after vids starts over are numbered twice.
	defer func(n int) { maxVids = n }(maxVids)
	maxVids = 7
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "A", "b", "B", "z", "%", "_", `\`, `"`, " ", "1", "位", "置", "南", "山", "é", "É", "\xff", "\xc3", "\xa9", "©", "\xe4\xbd", "\x00", "�", "😀"}
	value := func() string {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	labels := []string{"m", "b", "12", "z", "a"}
	for _, label := range labels {
		rep := testRep(label)
		err := s.PutRun(ctx, testRun(label), rep, func(yield func(Payload) error) error {
			for _, req := range []int{1, 0, 1} {
				var ss []String
				for i := range 15 {
					ss = append(ss, String{fmt.Sprint(i), value()})
				}
				if err := yield(Payload{Request: req, Strings: ss}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	queries := map[string]bool{"x": true, "位x": true, "位置南山": true, "zz%_": true}
	for _, a := range alphabet {
		queries[a] = true
		for i, b := range alphabet {
			queries[a+b] = true
			if i%3 == 0 {
				queries[a+b+"a"] = true
				queries["b"+a+b] = true
			}
		}
	}
	// Both ways of answering a longer query: sorting the trigram hits,
	// and walking the runs on a gram when there are too many to sort.
	defer func(n int) { ftsSortable = n }(ftsSortable)
	for _, ftsSortable = range []int{1024, 3} {
		for q := range queries {
			if strings.ContainsRune(q, 0) {
				continue // Search finds nothing; LIKE would read a shorter pattern
			}
			for _, f := range []SearchFilter{{}, {Run: "12"}, {Page: Page{Limit: 7, Offset: 5}}, {Run: "a", Page: Page{Limit: 3, Offset: 2}}} {
				want, err := s.searchLike(ctx, q, f)
				if err != nil {
					t.Fatal(err)
				}
				got := search(t, s, q, f)
				if d := cmp.Diff(want, got); d != "" {
					t.Fatalf("search %q %+v (sorting up to %d trigram hits): differs from LIKE (-like +grams)\n%s", q, f, ftsSortable, d)
				}
			}
		}
	}
	// Replacing and deleting runs leave no grams behind.
	if err := s.PutRun(ctx, testRun("m"), testRep("m"), nil); err != nil {
		t.Fatal(err)
	}
	for _, label := range labels {
		if err := s.DeleteRun(ctx, label); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := s.DB().QueryRow(`SELECT (SELECT count(*) FROM strings_grams) + (SELECT count(*) FROM findings_grams) + (SELECT count(*) FROM runids) + (SELECT count(*) FROM gram_runs)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d gram rows left after deleting every run (%v)", n, err)
	}
}

// The gram queries walk the runs in label order and never sort all their
// hits (strings: none; findings: one run's at a time): what keeps a
// one-character query fast on a corpus of thousands of runs.
func TestSearchGramsPlanHasNoSort(t *testing.T) {
	s, _ := openTest(t)
	plan := func(query string, args ...any) string {
		rows, err := s.DB().Query(`EXPLAIN QUERY PLAN `+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		return strings.Join(plan, "\n")
	}
	for _, tt := range []struct {
		plan, index string
	}{
		{plan(walkQuery+` ORDER BY r.run, g.request, g.id LIMIT 10`, "a", "%a%"), "SEARCH s USING INTEGER PRIMARY KEY"},
		{plan(findingsQuery(2), "ab", "bc", "abc", 10), "SEARCH f USING INDEX findings_vid"},
		{plan(endpointsQuery, `["/a"]`, 10), "SEARCH q USING INDEX requests_uri"},
	} {
		if strings.Split(tt.plan, "\n")[0] != "SCAN r" || !strings.Contains(tt.plan, tt.index) || strings.Contains(tt.plan, "TEMP B-TREE FOR ORDER BY") {
			t.Errorf("a search does not walk the runs, or sorts all its hits:\n%s", tt.plan)
		}
	}
	if p := plan(walkQuery+` ORDER BY r.run, g.request, g.id LIMIT 10`, "a", "%a%"); strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("the strings walk sorts:\n%s", p)
	}
}

// TestSearchFindingsAndEndpointsAgree: the gram walk over finding values
// and the endpoint match give what a scan with instr(lower(…)) gives, in
// its order (finding ids compare as text: f10 before f2).
func TestSearchFindingsAndEndpointsAgree(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "A", "b", "z", "%", "_", " ", "1", "位", "置", "é", "É", "\xff", "\x00", "😀"}
	value := func() string {
		var b strings.Builder
		for range rng.IntN(7) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	uris := []string{"", "/cgi-bin/micromsg-bin/newsync", "/cgi-bin/Micromsg-bin/getA8key", "/mmtls/位置", "/a"}
	for _, label := range []string{"m", "b", "12", "z"} {
		rep := &report.Report{}
		for i := range 12 {
			rep.Requests = append(rep.Requests, report.Request{ID: i, Run: label, Seq: 12 - i, URI: uris[rng.IntN(len(uris))], Feature: "x", Recipient: "wechat", Source: "s"})
		}
		for i := range 40 {
			rep.Findings = append(rep.Findings, report.Finding{ID: fmt.Sprintf("f%d", i+1), Run: label, Request: rng.IntN(12), DataType: "t",
				Confidence: "high", Feature: "x", Recipient: "wechat", Evidence: report.Evidence{FieldPath: fmt.Sprint(i), Value: value()}})
		}
		if err := s.PutRun(ctx, testRun(label), rep, nil); err != nil {
			t.Fatal(err)
		}
	}
	scan := func(query string, args ...any) []string {
		rows, err := s.DB().Query(query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
		return out
	}
	// A replaced run leaves no gram behind: its old values are not found.
	if err := s.PutRun(ctx, testRun("m"), &report.Report{}, nil); err != nil {
		t.Fatal(err)
	}
	needles := map[string]bool{"micromsg": true, "a8k": true, "/": true, "位置": true, "no such": true}
	for _, a := range alphabet {
		if a == "\x00" || a == "\xff" {
			continue // instr compares bytes: a lone byte may match inside a character; the grams do not split characters
		}
		needles[strings.ToLower(a)] = true
		for _, b := range alphabet[:9] {
			needles[strings.ToLower(a+b)] = true
			needles[strings.ToLower("a"+a+b)] = true
		}
	}
	for needle := range needles {
		for _, limit := range []int{1000, 3} {
			want := scan(`SELECT run, request, uri, field_path, data_type, value FROM findings WHERE instr(lower(value), ?) > 0 ORDER BY run, request, id LIMIT ?`, needle, limit)
			hits, err := s.SearchFindings(ctx, needle, limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, fmt.Sprint(h.Run, h.Request, h.URI, h.FieldPath, h.DataType, h.Value))
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("findings %q limit %d (-scan +grams)\n%s", needle, limit, d)
			}
			want = scan(`SELECT run, id, uri FROM requests WHERE uri <> '' AND instr(lower(uri), ?) > 0 ORDER BY run, seq LIMIT ?`, needle, limit)
			eps, err := s.SearchEndpoints(ctx, needle, limit)
			if err != nil {
				t.Fatal(err)
			}
			got = nil
			for _, h := range eps {
				got = append(got, fmt.Sprint(h.Run, h.Request, h.URI))
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("endpoints %q limit %d (-scan +index)\n%s", needle, limit, d)
			}
		}
	}
}
