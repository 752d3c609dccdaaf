// Package parquet writes a corpus's tables (runs, requests, findings,
// gaps) as Parquet files partitioned by run, for DuckDB, Spark and Trino:
//
//	parquet/<table>/run=<label>/part-0.parquet
//
// The run label is the partition column: it is in the directory name, not
// in the files, as Hive-style partitioning expects. Columns are the
// store's (store/schema.go) with the same names; lists are Parquet LISTs,
// times are RFC 3339 strings, optional numbers are nullable. The schema is
// the row types below; doc/cli.md shows how to query the files.
//
// It lives apart from store and report so that only the corpus command
// pulls in the Parquet library.
package parquet
