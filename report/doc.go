// Package report holds the result of `wxaudit analyze` (Report) and writes
// it: findings.jsonl, summary.json, flows.csv, report.md and a single
// self-contained report.html (html/template + embed, no network, every
// payload string escaped). Read reads a report directory back for
// `wxaudit diff`.
//
// A Report keeps findings and one small record per request, never decoded
// trees; its size is O(findings + requests). A Builder writes the same
// folder a request at a time, holding only what the shared files summarise
// (see build.go); WriteDir uses it too.
package report
