// Package decode wires the payload-decoding stage: it reads payloads (the
// JSON Lines of wxaudit decrypt, Citizen Lab's request logs, or Citizen
// Lab's decrypt-keylog.py output), decodes each with schemaless, names the
// fields with the catalog or a schema, and writes JSONL records or a text
// view. It also learns per-endpoint schemas and exports them as .proto.
//
// Run is the whole command: it reads the inputs, decodes and writes every
// record, and counts the skipped lines. Its parts are NewReader to pull
// payloads, Decoder.Decode to turn one into a Record, and
// Record.AppendJSON to print it. Memory is bounded per payload
// (one input line of at most 64 MiB, plus the schemaless budgets) and never
// grows with the number of payloads, except in schema learning, which keeps
// bounded statistics per (endpoint, path).
package decode
