package corpus

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"sync"

	"github.com/wxaudit/wxaudit/internal/atomicfile"
	"github.com/wxaudit/wxaudit/report"

	"github.com/wxaudit/wxaudit/store"
)

//go:embed report.html.tmpl
var reportTemplate string

// tmpl is parsed on first use, not at start-up: every wxaudit command
// would otherwise pay for it.
var tmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("corpus").Funcs(template.FuncMap{
		"pct": func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
		"pctp": func(f *float64) string {
			if f == nil {
				return "n/a"
			}
			return fmt.Sprintf("%.1f%%", 100**f)
		},
		"intp": func(p *int) string {
			if p == nil {
				return "–"
			}
			return fmt.Sprint(*p)
		},
	}).Parse(reportTemplate))
})

type htmlData struct {
	*Metrics
	Types []string // columns of the runs × data types table
	// Claims are the corpus's answers (claims.json), the same computation
	// as a report folder's.
	Claims []report.Claim
}

// writeOutputs writes metrics.json and report.html, each to a temporary
// name and then renamed, so neither is ever seen half written.
func writeOutputs(out string, st *store.Store, m *Metrics, claims []report.Claim) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(out, MetricsFile), append(b, '\n')); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := RenderHTML(&buf, m, claims); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(out, ReportFile), buf.Bytes())
}

// RenderHTML writes the corpus report: one self-contained file, every
// value escaped by html/template, a CSP that forbids scripts and any
// external resource.
func RenderHTML(w *bytes.Buffer, m *Metrics, claims []report.Claim) error {
	set := map[string]bool{}
	for _, r := range m.RunsTable {
		for t := range r.DataTypes {
			set[t] = true
		}
	}
	return tmpl().Execute(w, htmlData{Metrics: m, Types: taxonomyOrder(set), Claims: claims})
}

func writeAtomic(path string, b []byte) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	return nil
}
