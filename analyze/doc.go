// Package analyze wires wxaudit's analysis stages: it reads request logs or
// decrypted payloads (decode), recognises runs whose logs are prefixes of one
// another (attribute.SplitRuns), decodes each request without a schema
// (schemaless), finds personal data (classify), attributes each request to a
// feature, recipient and run (attribute) and returns a report.Report. Diff
// compares two reports.
//
// Inputs are streamed: memory holds one decoded request at a time plus the
// findings and one small record per request, never all decoded trees.
package analyze
