// Package classify finds personal data in one decoded request: it maps the
// leaves of a schema-less protobuf tree to the data types of the wxaudit
// taxonomy (see Taxonomy, and TAXONOMY.md in this directory for what each
// data type covers and what it does not) and returns one Finding per hit,
// with the rule that fired and its written reason.
//
// Three kinds of detection run on every request (doc/protocol.md, section 6):
//
//   - endpoint rules: declarative, per API path or request type and field
//     path, embedded from rules.yaml and extensible by the user (LoadRules);
//   - value detectors: what a value means wherever it appears (device ids,
//     wxids, appids, BSSIDs, IP addresses, coordinate pairs in every usual
//     encoding, push tokens, user agents, build fingerprints, exceptions),
//     what it is called (JSON, query and XML keys and the names of protobuf
//     key/value pairs, such as page_path, staytime, device-name, query,
//     rtt) and what surrounds it (a user id in a request URL to a third
//     party's host, a media element's size and hash);
//   - canaries: values the researcher knows are theirs, searched in every
//     common encoding (see Canary).
//
// Precision comes first: a detector that cannot tell what a value means says
// nothing rather than guess. Coordinates are the one place where a guess
// would be silent and wrong (which value is the latitude): their axis order
// comes from the catalog, names, range or evidence (Evidence; a caller that
// sees a whole log can add its evidence), and a pair nothing decides is
// reported as both readings at low confidence (TAXONOMY.md, "Axis order").
//
// Use New to build a Classifier, then call Classify once per request with the
// request's leaves (Field). Classify is a pure function of its inputs, safe
// for concurrent use, and allocates O(number of leaves + findings); it keeps
// nothing between calls.
package classify
