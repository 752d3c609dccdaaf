// Package synth generates synthetic WeChat traffic with ground truth: a
// capture (pcapng or pcap), the two key logs that decrypt it (wxaudit's
// secrets key log and the Citizen Lab Frida format) and a manifest listing
// every payload sent, with the scenario step and the personal data planted
// in it. See doc/protocol.md (sections 1 to 7) for the protocol it speaks.
//
// Start with [Generate] (files in a folder) or [GenerateTo] (any writers,
// for benchmarks and pipes); [Scenarios] lists the scenario names.
//
// # What is generated
//
// A run draws one synthetic user (uin, device id "A"+15 hex,
// device model, OS, coordinates, Wi-Fi SSID/BSSID, Mini Program appids and
// pages, search queries, messages) from Options.Seed, then plays the
// scenario: a list of business calls on a clock. Each round becomes TCP
// connections: a 1-RTT Shortlink that only fetches tickets (ClientHello,
// server flight; no payload), one Longlink (1-RTT ECDHE handshake, then
// Longlink packets: identify without inner encryption, newsync with
// AES-GCM, a noop heartbeat), one 0-RTT PSK Shortlink per request (HTTP
// POST /mmtls/…, four records each way, resuming with the PSK_ACCESS ticket
// the round's Longlink issued), and plain-HTTP newgetdns.
//
// Both MMTLS ends are package mmtls's endpoints (mmtls.Client and
// mmtls.Server), so the capture, the key schedule and the key logs agree
// with the decrypter by construction. Business packets are sealed with
// package business: the WeChat header with the signature under K, AES-CBC
// with the session key, AES-192-GCM (newsync, one key per direction), and
// the algo-12 hybrid-ECDH auth exchange (secautoauth), whose response
// carries the session key sealed with K and the two GCM keys
// (business.AuthResponseFields), as the real one does.
//
// # Key logs
//
// The secrets key log (keylog.SecretsWriter) holds, per round, the inner keys
// (WECHAT_SESSION_KEY for the session key and K, WECHAT_GCM_KEY for the
// newsync keys and for each hybrid blob key, which no logged secret
// derives), and one line per MMTLS connection: MMTLS_SECRET for a full
// handshake, MMTLS_PSK_ACCESS for a 0-RTT resumption. The Frida key log
// (keylog.FridaWriter) holds what hooks on the phone would log: an OUTER
// line for every record the client seals or opens, INNER lines for every
// inner encryption and decryption.
//
// Every key, the hybrid auth exchange's ECDH keys included, is drawn from
// the seeded source (internal/detkey), so equal options give equal files.
//
// # Manifest
//
// One JSON object a line ([Entry]): the fields `wxaudit decrypt` prints for
// the same payload (conn, link, direction, record_seq, uri, host, req_type,
// uin, client_version, cmd_id, longlink_seq, inner, compressed, part,
// payload as hex, byte-identical), plus time (when the sender started
// sending), step {feature, action}, planted [{data_type, field_path,
// value, encoding}] and round. As in decrypt's output, Longlink payloads
// are named by cmd_id without a uri, and the hybrid auth request gives
// three entries (part client_random_1, client_random_2, payload) and its
// response one (payload). data_type uses the analysis taxonomy; field_path
// is protobuf field numbers joined by "." with ":key" for a key inside a
// JSON, query-string or kv-report string (see [Planted]). Noop heartbeats
// carry no payload and have no entry; nor does the ticket-only Shortlink.
// [ReadManifest] reads it back (lines up to 16 MiB).
//
// # Determinism and memory
//
// All randomness comes from Options.Seed (math/rand/v2 PCG) and all times
// from Options.Start, so equal options give byte-identical files. Output is
// written round by round: memory holds one round (tens of kilobytes of
// packets) whatever Options.Size is.
package synth
