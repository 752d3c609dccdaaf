// Package store keeps a corpus of analysed runs in one SQLite file
// (corpus.db), through a pure-Go driver so the binary stays static.
//
// Tables: runs (one row per run), requests (with the decrypted payload),
// findings, gaps, and strings (every decoded string value, indexed for
// substring search by an FTS5 trigram index, so parts of Chinese words
// match too). The schema is in schema.go and documented for other readers
// in the repository's docs; SchemaVersion changes when it does.
//
// The corpus command is the only writer: it replaces a run's rows in one
// transaction (PutRun), so a reader never sees half a run. Readers (the
// web UI) open the file with OpenReadOnly and use the query methods, which
// take filters and pages.
package store
