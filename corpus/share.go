package corpus

// The shareable Parquet tables: the report's redaction applied to one run
// (doc/privacy.md). They are what the README's distributed recipe copies
// to object storage, so they hold no value a shared report would hide.

import (
	"path/filepath"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/store"
)

// shareable returns the run's report, runs row and decoded strings as a
// shared report shows them: identifying values replaced by their
// pseudonyms under key (one key per store, so a value has one pseudonym in
// every run), coordinates coarsened, paths cut to their file name,
// payloads left out (the strings keep their values, redacted, and lose
// the plaintext).
func shareable(row store.Run, sub *report.Report, key []byte, payloads func(func(store.Payload) error) error) (*report.Report, store.Run, func(func(store.Payload) error) error) {
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
	if payloads == nil {
		return shared, row, nil
	}
	return shared, row, func(yield func(store.Payload) error) error {
		return payloads(func(p store.Payload) error {
			ss := make([]store.String, len(p.Strings))
			for i, s := range p.Strings {
				ss[i] = store.String{FieldPath: s.FieldPath, Value: rd.Text(s.Value)}
			}
			return yield(store.Payload{Request: p.Request, Strings: ss})
		})
	}
}
