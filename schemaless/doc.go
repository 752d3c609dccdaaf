// Package schemaless decodes protobuf without a schema into a tree of
// interpreted values, the way a person reading a WeChat payload would: every
// field with its most likely meaning, the other plausible meanings with a
// confidence, and the nested encodings (zlib, base64, percent-encoding, JSON,
// XML, query strings, kv report lines) unwrapped recursively with the chain
// of interpretations recorded. See doc/protocol.md, section 6.
//
// Use Decode first; it never fails. Bytes that cannot be decoded become a
// KindBytes or KindOpaque node carrying a Reason. Walk and Leaves iterate the
// result; Format renders the protoscope-like text view.
//
// # Budgets
//
// Every resource is bounded by Options: nesting depth (MaxDepth), nodes in
// the tree (MaxNodes), bytes examined by all hypotheses together (MaxWork)
// and bytes produced by decompression and base64 (MaxInflated). When a
// budget runs out the node where it happened carries Budget and keeps its
// raw bytes; Tree.Budgets lists every budget hit. Memory is therefore
// O(len(input) + MaxInflated + MaxNodes).
//
// # Aliasing
//
// Node.Bytes aliases the input (or a decompressed buffer owned by the tree);
// copy it to keep it past the input's lifetime.
//
// # Performance
//
// Nodes, chains, child lists, alternatives, hints and short strings (paths,
// keys, text) are carved out of per-call arenas, so a decode makes a few
// allocations per 32 nodes rather than several per node; a Node kept alone
// keeps its arena chunk (a few KiB) alive. Each length-delimited value is
// scanned once per hypothesis with cheap pre-checks first (eight-byte
// ASCII tests, early exits when a reading is already impossible); JSON is
// validated once and then walked without encoding/json's token API; zlib
// readers are pooled. BenchmarkDecode reports the throughput.
package schemaless
