// Package corpus analyses many runs into one corpus folder: a SQLite store
// (package store), the same tables as Parquet partitioned by run (package
// store/parquet), metrics.json and report.html.
//
// A run is a run folder (a capture, its key logs and optionally run.yaml,
// see package runfolder) or a request-log file. Each capture is decrypted
// with its own folder's keys only. Request logs that extend one another
// (the published ones are line prefixes of one another) form a chain of
// runs, each the lines its log added; a chain is analysed in one call of
// analyze, because what one run states about the client completes the
// findings of the others (chains.go). Chains are independent: a shard
// (Options.Shard) holds whole chains, and Merge joins shards' folders.
//
// Capture runs and chains are analysed by parallel workers; requests
// stream to spool files and runs are stored one at a time, so a worker
// holds one run's findings, never the chain or the corpus. A
// run is written to the store in one transaction and its Parquet files
// are renamed into place after it, so an interrupted corpus holds whole
// runs only; metrics.json and report.html are written (to a temporary
// name, then renamed) only when every run is done.
package corpus
