// Package analyze wires wxaudit's analysis stages: it reads request logs or
// decrypted payloads (decode), recognises runs whose logs are prefixes of one
// another (attribute.SplitRuns), decodes each request without a schema
// (schemaless), finds personal data (classify), attributes each request to a
// feature, recipient and run (attribute), compares the flows with a privacy
// policy (policy) and states the claims (claims). Run returns the whole
// report.Report; Write streams it into a report folder.
//
// Inputs are streamed: memory holds one decoded request at a time. Run also
// holds the findings and one small record per request; Write spools them
// to disk and keeps only what the summaries need (spool.go).
package analyze
