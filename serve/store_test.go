package serve

import (
	"context"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/decode"
	"github.com/wxaudit/wxaudit/filter"
	"github.com/wxaudit/wxaudit/schemaless"
	"github.com/wxaudit/wxaudit/store"
)

// storeStudy writes the study fixture into a corpus store, as the corpus
// command does, and returns both sources over the same data.
func storeStudy(t *testing.T) (*StoreSource, *ReportSource) {
	t.Helper()
	mem, rep := studySource(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.FileName)
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := decode.NewDecoder(decode.Options{})
	for _, run := range rep.Runs {
		n := 0
		for _, q := range rep.Requests {
			if q.Run == run.Label {
				n++
			}
		}
		payloads := func(yield func(store.Payload) error) error {
			for _, q := range rep.Requests {
				if q.Run != run.Label {
					continue
				}
				b := mem.payload(q.ID)
				p := store.Payload{Request: q.ID, Bytes: b}
				rec := dec.Decode(decodeInput(q.URI, q.ReqType, b))
				if rec.Tree != nil {
					for l := range rec.Tree.Leaves() {
						if l.Kind == schemaless.KindString && l.Text != "" {
							p.Strings = append(p.Strings, store.String{FieldPath: l.Path, Value: l.Text})
						}
					}
				}
				if err := yield(p); err != nil {
					return err
				}
			}
			return nil
		}
		if err := st.PutRun(ctx, store.Run{Run: run.Label, Source: run.Source, Kind: store.KindLog, Status: store.StatusOK,
			Fingerprint: run.Label, Permissions: run.Permissions, Requests: n}, rep, payloads); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	src, err := openStore(filepath.Dir(path))
	if err != nil || src == nil {
		t.Fatalf("openStore: %v", err)
	}
	t.Cleanup(func() { src.(*StoreSource).Close() })
	return src.(*StoreSource), mem
}

// The SQL translation of filter expressions selects exactly what the
// in-memory matcher selects, and each expression selects what its
// selection says: some (neither nothing nor every request), all or none,
// so that two translations agreeing on nothing cannot pass.
func TestStoreFilterAgreesWithMemory(t *testing.T) {
	sts, mem := storeStudy(t)
	ctx := context.Background()
	// An appid of the study, so that excluding it selects some requests.
	var app string
	if err := sts.st.DB().QueryRow(`SELECT appid FROM findings WHERE appid LIKE 'wx%' ORDER BY run, request LIMIT 1`).Scan(&app); err != nil {
		t.Fatal(err)
	}
	const (
		some = iota
		all
		none
	)
	for _, tc := range []struct {
		expr      string
		selection int
	}{
		{"", all}, {"run=location_denied", some}, {"run!=location_denied", some},
		{"feature=miniprograms,location", some}, {"-feature=miniprograms", some},
		{"endpoint~newreport", some}, {"endpoint~MMSNS", some}, {"recipient=weixin", some}, {"recipient!=wechat", some},
		{"perm=on", some}, {"permissions=off", some},
		{"data_type=location", some}, {"data_type=location,coarse_location", some}, {"data_type!=account_id", some},
		{"type~mini", some}, {"appid~wx", some}, {"appid!=" + app, some},
		{"req_type=209", some}, {"req_type>0", some}, {"req_type!=209", some}, {"req_type~20", some},
		{"time>=2024-10-01T09:31 time<2024-10-01T09:33", some},
		{"time<2024-10-01", none}, // midnight, before the study's first request
		{"time>2024-10-01T09:30:05", some},
		{"run~all feature=miniprograms data_type=miniprogram_page_path", some},
	} {
		expr := tc.expr
		e, err := filter.Parse(expr)
		if err != nil {
			t.Fatal(err)
		}
		want, err := mem.Requests(ctx, Query{Where: e, Limit: MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		got, err := sts.Requests(ctx, Query{Where: e, Limit: MaxLimit})
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		key := func(p *RequestPage) []string {
			var out []string
			for _, q := range p.Requests {
				out = append(out, q.Run+"#"+itoa(q.Seq))
			}
			return out
		}
		// The store orders runs by label, a report by input order.
		w, g := key(want), key(got)
		sort.Strings(w)
		sort.Strings(g)
		if got.Total != want.Total || strings.Join(w, " ") != strings.Join(g, " ") {
			t.Errorf("%q: store gives %d %v, memory %d %v", expr, got.Total, g, want.Total, w)
		}
		n := len(mem.reqs)
		switch {
		case tc.selection == some && (want.Total == 0 || want.Total == n):
			t.Errorf("%q selects %d of %d requests, want some but not all", expr, want.Total, n)
		case tc.selection == all && want.Total != n:
			t.Errorf("%q selects %d of %d requests, want all", expr, want.Total, n)
		case tc.selection == none && want.Total != 0:
			t.Errorf("%q selects %d of %d requests, want none", expr, want.Total, n)
		}
	}
	if len(mem.reqs) == 0 {
		t.Fatal("the study fixture has no requests")
	}
	// Paging.
	p, err := sts.Requests(ctx, Query{Offset: 5, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != len(mem.reqs) || len(p.Requests) != 3 {
		t.Errorf("page: %d of %d", len(p.Requests), p.Total)
	}
}

func TestStoreServes(t *testing.T) {
	sts, _ := storeStudy(t)
	h := mustNew(t, sts, Options{})
	_, body := get(t, h, "/api/search?q="+url.QueryEscape(chineseWord))
	if !strings.Contains(body, chineseText) || !strings.Contains(body, `"request": "hostile \u003cb\u003erun\u003c/b\u003e:`) {
		t.Errorf("search over the store: %s", body)
	}
	_, page := get(t, h, "/")
	for _, want := range []string{"all_permissions_on", "location_denied", "hostile &lt;b&gt;run&lt;/b&gt;", `class="matrix"`} {
		if !strings.Contains(page, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	res, _ := get(t, h, "/api/requests?where="+url.QueryEscape("run~hostile"))
	if res.StatusCode != 200 {
		t.Fatal(res.Status)
	}
	id := ""
	p, _ := sts.Requests(context.Background(), Query{Where: mustParse(t, "run~hostile")})
	id = p.Requests[0].ID
	res, page = get(t, h, "/requests/"+url.PathEscape(id))
	if res.StatusCode != 200 || !strings.Contains(page, `class="found"`) || !strings.Contains(page, "&lt;script&gt;") || strings.Contains(page, testWxid) {
		t.Errorf("request view over the store (%d):\n%.2000s", res.StatusCode, page)
	}
	for _, target := range []string{"/miniprograms", "/locations", "/gaps", "/diff?a=all_permissions_on&b=location_denied"} {
		if res, body := get(t, h, target); res.StatusCode != 200 {
			t.Errorf("%s: %d %.300s", target, res.StatusCode, body)
		}
	}
	_, page = get(t, h, "/miniprograms")
	if !strings.Contains(page, "<svg class=\"axis\"") {
		t.Error("no Mini Program time axis over the store")
	}
	if res, _ := get(t, h, "/requests/nope"); res.StatusCode != 404 {
		t.Errorf("bad id: %d", res.StatusCode)
	}
}

func mustParse(t *testing.T, s string) *filter.Expr {
	t.Helper()
	e, err := filter.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
