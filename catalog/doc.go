// Package catalog holds wxaudit's WeChat knowledge as data: request type →
// API path → app feature, the BaseRequest header (doc/protocol.md §6), field
// names known for common endpoints, and the axis order of the coordinate
// pairs known endpoints and report lines send (AxesFor; classify reads
// it). The data is a YAML file embedded in the binary (data/catalog.yaml);
// users extend or override it with their own file of the same format.
//
// Start with Default, Merge a user file, Observe the (request type, path)
// pairs seen in decrypted Shortlink envelopes or request logs, and Apply
// the names to a decoded schemaless tree. Observed pairs win over the
// embedded and published tables; Conflicts lists every disagreement.
//
// Memory is bounded by the catalog size plus one entry per distinct
// (request type, path) observed.
package catalog
