package corpus

// The shareable Parquet tables: the report's redaction applied to one run
// (doc/privacy.md). They are what the README's distributed recipe copies
// to object storage, so they hold no value a shared report would hide.

import (
	"path/filepath"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/store"
)

// shareable returns the run's report and runs row as a shared report shows
// them: identifying values replaced by their pseudonyms under key (one
// key per store, so a value has one pseudonym in every run), coordinates
// coarsened, paths cut to their file name, payloads left out.
func shareable(row store.Run, sub *report.Report, key []byte) (*report.Report, store.Run) {
	if sub == nil {
		sub = &report.Report{}
	}
	rd := report.NewRedactor(sub, key)
	shared := sub.Redacted(rd)
	row.Source = filepath.Base(row.Source)
	row.Error = rd.Text(row.Error)
	nd := make([]string, len(row.NotDecrypted))
	for i, s := range row.NotDecrypted {
		nd[i] = rd.Text(s)
	}
	row.NotDecrypted = nd
	return shared, row
}
