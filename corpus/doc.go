// Package corpus analyses many runs into one corpus folder: a SQLite store
// (package store), the same tables as Parquet partitioned by run (package
// store/parquet), metrics.json and report.html.
//
// A run is a run folder (a capture, its key logs and optionally run.yaml,
// see package runfolder) or a request-log file. Each capture is decrypted
// with its own folder's keys only. Request logs given together are
// analysed together, because the published ones are prefixes of one
// another (analyze splits them into successive runs).
//
// Runs are analysed by parallel workers; each run's requests stream to a
// spool file, so a worker holds one run's findings, never the corpus. A
// run is written to the store in one transaction and its Parquet files
// are renamed into place after it, so an interrupted corpus holds whole
// runs only; metrics.json and report.html are written (to a temporary
// name, then renamed) only when every run is done.
package corpus
