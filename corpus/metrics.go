package corpus

import (
	"context"
	"fmt"
	"sort"

	"github.com/wxaudit/wxaudit/store"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// Output files in the corpus folder.
const (
	MetricsFile = "metrics.json"
	ReportFile  = "report.html"
)

// BrowsingDefinition states what share_runs_with_miniprogram_browsing
// counts, in metrics.json and the report.
const BrowsingDefinition = "runs that sent Mini Program activity to WeChat (a page, user UI event or stay time tied to a Mini Program's appid: miniprogram_tracking's unit, doc/claims.md; after PETS 2025, \"What WeChat Knows\"), over runs with at least one decrypted payload"

// Metrics is metrics.json: the corpus's answers, computed from the store.
type Metrics struct {
	Runs       int `json:"runs"`
	RunsOK     int `json:"runs_ok"`
	RunsFailed int `json:"runs_failed"`
	// Requests and Findings count the store's rows, for checking other
	// readers (the Parquet files) against it.
	Requests int `json:"requests"`
	Findings int `json:"findings"`
	// RunsWithDecryptedPayload is the denominator of every share.
	RunsWithDecryptedPayload int `json:"runs_with_decrypted_payload"`
	// ShareRunsWithMiniProgramBrowsing is nil when the denominator is 0.
	ShareRunsWithMiniProgramBrowsing *float64 `json:"share_runs_with_miniprogram_browsing"`
	RunsWithMiniProgramBrowsing      int      `json:"runs_with_miniprogram_browsing"`
	MiniProgramBrowsingDefinition    string   `json:"miniprogram_browsing_definition"`
	Denominator                      string   `json:"denominator"`
	// DataTypes: for each data type sent in at least one run, the runs
	// that send it, overall, per feature and per Mini Program category.
	DataTypes  []DataTypeShare `json:"data_types"`
	Categories []Category      `json:"categories"`
	// RunsTable is the runs × data types table with each run's coverage.
	RunsTable []RunMetrics `json:"runs_table"`
}

// Share is a count of runs over a denominator.
type Share struct {
	Runs  int     `json:"runs"`
	Of    int     `json:"of"`
	Share float64 `json:"share"`
}

func share(n, of int) Share {
	s := Share{Runs: n, Of: of}
	if of > 0 {
		s.Share = float64(n) / float64(of)
	}
	return s
}

// DataTypeShare is one data type's shares.
type DataTypeShare struct {
	DataType   string           `json:"data_type"`
	Overall    Share            `json:"overall"`
	ByFeature  map[string]Share `json:"by_feature"`
	ByCategory map[string]Share `json:"by_category,omitempty"`
}

// Category is one Mini Program category (from run.yaml).
type Category struct {
	Category            string `json:"category"`
	Runs                int    `json:"runs"`
	RunsWithDecrypted   int    `json:"runs_with_decrypted_payload"`
	MiniProgramBrowsing Share  `json:"miniprogram_browsing"`
}

// RunMetrics is one row of the runs table.
type RunMetrics struct {
	Run                 string         `json:"run"`
	Kind                string         `json:"kind"`
	Status              string         `json:"status"`
	Error               string         `json:"error,omitempty"`
	Category            string         `json:"category,omitempty"`
	Permissions         string         `json:"permissions"`
	Requests            int            `json:"requests"`
	DecryptedPayloads   int            `json:"decrypted_payloads"`
	Findings            int            `json:"findings"`
	MiniProgramBrowsing bool           `json:"miniprogram_browsing"`
	RecordsEncrypted    *int           `json:"records_encrypted,omitempty"`
	RecordsDecrypted    *int           `json:"records_decrypted,omitempty"`
	Coverage            *float64       `json:"decryption_coverage,omitempty"`
	NotDecrypted        []string       `json:"not_decrypted,omitempty"`
	DataTypes           map[string]int `json:"data_types"` // data type → findings
}

// ComputeMetrics aggregates the whole store.
func ComputeMetrics(ctx context.Context, st *store.Store) (*Metrics, error) {
	runs, err := st.Runs(ctx)
	if err != nil {
		return nil, err
	}
	m := &Metrics{Runs: len(runs), MiniProgramBrowsingDefinition: BrowsingDefinition,
		Denominator: "runs with at least one decrypted payload", DataTypes: []DataTypeShare{}, Categories: []Category{}, RunsTable: []RunMetrics{}}
	db := st.DB()
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM requests`).Scan(&m.Requests); err != nil {
		return nil, fmt.Errorf("corpus: metrics: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM findings`).Scan(&m.Findings); err != nil {
		return nil, fmt.Errorf("corpus: metrics: %w", err)
	}
	counted := map[string]bool{} // runs in the denominator
	category := map[string]string{}
	cats := map[string]*Category{}
	for _, r := range runs {
		if r.Status == store.StatusOK {
			m.RunsOK++
		} else {
			m.RunsFailed++
		}
		in := r.Status == store.StatusOK && r.DecryptedPayloads > 0
		if r.Category != "" {
			c := cats[r.Category]
			if c == nil {
				c = &Category{Category: r.Category}
				cats[r.Category] = c
			}
			c.Runs++
			if in {
				c.RunsWithDecrypted++
				if r.MiniProgramBrowsing {
					c.MiniProgramBrowsing.Runs++
				}
			}
		}
		if in {
			counted[r.Run] = true
			category[r.Run] = r.Category
			m.RunsWithDecryptedPayload++
			if r.MiniProgramBrowsing {
				m.RunsWithMiniProgramBrowsing++
			}
		}
		m.RunsTable = append(m.RunsTable, RunMetrics{Run: r.Run, Kind: r.Kind, Status: r.Status, Error: r.Error, Category: r.Category,
			Permissions: r.Permissions, Requests: r.Requests, DecryptedPayloads: r.DecryptedPayloads, Findings: r.Findings,
			MiniProgramBrowsing: r.MiniProgramBrowsing, RecordsEncrypted: r.RecordsEncrypted, RecordsDecrypted: r.RecordsDecrypted,
			Coverage: r.Coverage, NotDecrypted: r.NotDecrypted, DataTypes: map[string]int{}})
	}
	if m.RunsWithDecryptedPayload > 0 {
		s := float64(m.RunsWithMiniProgramBrowsing) / float64(m.RunsWithDecryptedPayload)
		m.ShareRunsWithMiniProgramBrowsing = &s
	}
	for _, c := range cats {
		c.MiniProgramBrowsing = share(c.MiniProgramBrowsing.Runs, c.RunsWithDecrypted)
		m.Categories = append(m.Categories, *c)
	}
	sort.Slice(m.Categories, func(i, j int) bool { return m.Categories[i].Category < m.Categories[j].Category })

	cells, err := st.Matrix(ctx)
	if err != nil {
		return nil, err
	}
	row := map[string]*RunMetrics{}
	for i := range m.RunsTable {
		row[m.RunsTable[i].Run] = &m.RunsTable[i]
	}
	typeRuns := map[string]map[string]bool{}
	for _, c := range cells {
		if r := row[c.Run]; r != nil {
			r.DataTypes[c.DataType] = c.Findings
		}
		if counted[c.Run] {
			if typeRuns[c.DataType] == nil {
				typeRuns[c.DataType] = map[string]bool{}
			}
			typeRuns[c.DataType][c.Run] = true
		}
	}
	// Per feature: runs sending the type in that feature, over the runs
	// (of the denominator) that have the feature at all.
	featRuns, typeFeatRuns, err := featureRuns(ctx, st, counted)
	if err != nil {
		return nil, err
	}
	for _, dt := range taxonomyOrder(typeRuns) {
		d := DataTypeShare{DataType: dt, Overall: share(len(typeRuns[dt]), m.RunsWithDecryptedPayload), ByFeature: map[string]Share{}}
		for f, rs := range typeFeatRuns[dt] {
			d.ByFeature[f] = share(len(rs), len(featRuns[f]))
		}
		if len(cats) > 0 {
			d.ByCategory = map[string]Share{}
			for _, c := range m.Categories {
				n := 0
				for r := range typeRuns[dt] {
					if category[r] == c.Category {
						n++
					}
				}
				d.ByCategory[c.Category] = share(n, c.RunsWithDecrypted)
			}
		}
		m.DataTypes = append(m.DataTypes, d)
	}
	return m, nil
}

// featureRuns returns, for the counted runs, the runs having requests of
// each feature, and the runs sending each data type in each feature.
func featureRuns(ctx context.Context, st *store.Store, counted map[string]bool) (map[string]map[string]bool, map[string]map[string]map[string]bool, error) {
	feat := map[string]map[string]bool{}
	rows, err := st.DB().QueryContext(ctx, `SELECT DISTINCT run, feature FROM requests`)
	if err != nil {
		return nil, nil, fmt.Errorf("corpus: metrics: %w", err)
	}
	for rows.Next() {
		var run, f string
		if err := rows.Scan(&run, &f); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if counted[run] {
			if feat[f] == nil {
				feat[f] = map[string]bool{}
			}
			feat[f][run] = true
		}
	}
	rows.Close()
	tf := map[string]map[string]map[string]bool{}
	rows, err = st.DB().QueryContext(ctx, `SELECT DISTINCT run, data_type, feature FROM findings`)
	if err != nil {
		return nil, nil, fmt.Errorf("corpus: metrics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var run, dt, f string
		if err := rows.Scan(&run, &dt, &f); err != nil {
			return nil, nil, err
		}
		if !counted[run] {
			continue
		}
		if tf[dt] == nil {
			tf[dt] = map[string]map[string]bool{}
		}
		if tf[dt][f] == nil {
			tf[dt][f] = map[string]bool{}
		}
		tf[dt][f][run] = true
	}
	return feat, tf, rows.Err()
}

// taxonomyOrder returns the keys in the taxonomy's order, unknown names
// last, sorted.
func taxonomyOrder[V any](set map[string]V) []string {
	var out, rest []string
	done := map[string]bool{}
	for _, t := range taxonomy.All {
		if _, ok := set[string(t.Name)]; ok {
			out = append(out, string(t.Name))
			done[string(t.Name)] = true
		}
	}
	for k := range set {
		if !done[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}
