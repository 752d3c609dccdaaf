// Package parquet writes a corpus's tables (runs, requests, findings,
// gaps, strings) as Parquet files, one per run and table, for DuckDB,
// Spark and Trino:
//
//	parquet/<table>/part=run-<label>/part-0.parquet
//
// Every table holds the run label in its run column; the folder's name is
// prefixed so that no engine reads a label as a number (PartitionKey).
// Lists are Parquet LISTs, times TIMESTAMPs in UTC (NULL when unknown),
// optional numbers nullable. The schema is the row types in rows.go;
// doc/parquet.md documents every column, with example queries.
//
// It lives apart from store and report so that only the corpus command
// pulls in the Parquet library.
package parquet
