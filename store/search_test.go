package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// searchLike is a LIKE scan of every value: the oracle Search must agree
// with, and (for queries of one or two characters) Search as it was
// before the gram table, the "before" of BenchmarkSearch.
func (s *Store) searchLike(ctx context.Context, q string, f SearchFilter) ([]Hit, error) {
	limit, offset := f.bounds()
	match := `s.value LIKE ? ESCAPE '\'`
	args := []any{"%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"}
	if f.Run != "" {
		match += ` AND s.run = ?`
		args = append(args, f.Run)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT s.run, s.request, s.field_path, s.value, coalesce(r.feature, ''), coalesce(r.uri, '')
		FROM strings s LEFT JOIN requests r ON r.run = s.run AND r.id = s.request
		WHERE `+match+` ORDER BY s.run, s.request, s.id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Hit
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.Run, &h.Request, &h.FieldPath, &h.Value, &h.Feature, &h.URI); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// TestSearchGramsAgreeWithLike: for every one- and two-character query
// drawn from the values (and some found nowhere), the gram table gives
// the LIKE scan's hits in its order, page by page and per run, over runs
// stored out of label order whose payloads come out of request order.
func TestSearchGramsAgreeWithLike(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
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
		for _, b := range alphabet {
			queries[a+b] = true
			queries[a+b+"a"] = true
			queries["b"+a+b] = true
		}
	}
	// Both ways of answering a longer query: sorting the trigram hits,
	// and walking the runs on a gram when there are too many to sort.
	defer func(n int) { ftsSortable = n }(ftsSortable)
	for _, ftsSortable = range []int{4096, 3} {
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
	if err := s.DB().QueryRow(`SELECT (SELECT count(*) FROM strings_grams) + (SELECT count(*) FROM string_runs)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d gram rows left after deleting every run (%v)", n, err)
	}
}

// The gram query walks the runs in label order without sorting the hits:
// what keeps a one-character query fast on a corpus of thousands of runs.
func TestSearchGramsPlanHasNoSort(t *testing.T) {
	s, _ := openTest(t)
	rows, err := s.DB().Query(`EXPLAIN QUERY PLAN `+walkQuery+` ORDER BY r.run, g.request, g.id LIMIT 10`, "a", "%a%")
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
	if p := strings.Join(plan, "\n"); strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("the gram query sorts its hits:\n%s", p)
	}
}
