// Package synth generates synthetic WeChat traffic with ground truth: a
// capture (pcapng or pcap), the two key logs that decrypt it (wxaudit's
// secrets key log and the Citizen Lab Frida format) and a manifest listing
// every payload sent, with the scenario step and the personal data planted
// in it. See PROTOCOL.md (sections 1 to 7) for the protocol it speaks.
//
// Start with [Generate] (files in a folder) or [GenerateTo] (any writers,
// for benchmarks and pipes); [Scenarios] lists the scenario names.
//
// # What is generated
//
// A run draws one synthetic user ([Identity]: uin, device id "A"+15 hex,
// device model, OS, coordinates, Wi-Fi SSID/BSSID, Mini Program appids and
// pages, search queries, messages) from Options.Seed, then plays the
// scenario: a list of business calls on a clock. Each round becomes TCP
// connections: one Longlink (1-RTT ECDHE MMTLS handshake, then Longlink
// packets: identify without inner encryption, newsync with AES-GCM, a noop
// heartbeat), one 0-RTT PSK Shortlink per request (HTTP POST /mmtls/…, four
// records each way, resuming with the PSK_ACCESS of the round's Longlink),
// and plain-HTTP newgetdns. Business packets carry the WeChat header with
// its signature and AES-CBC (session key) or AES-192-GCM inner encryption,
// zlib-compressed where the real client compresses.
//
// Known simplifications: the algo-12 hybrid-ECDH auth envelope is not
// emulated (auth is sealed like algo 13); MMTLS and business sealing live in
// this package (wire.go, biz.go) as adapters until packages mmtls and
// business export endpoints and sealers, and must agree with them.
//
// # Manifest
//
// One JSON object a line ([Entry]): the fields `wxaudit decrypt` prints for
// the same payload (conn, link, direction, record_seq, uri, host, req_type,
// uin, client_version, cmd_id, longlink_seq, inner, compressed, payload as
// hex, byte-identical), plus time (when the sender started sending), step
// {feature, action}, planted [{data_type, field_path, value, encoding}] and
// round. data_type uses the analysis taxonomy; field_path is protobuf field
// numbers joined by "." with ":key" for a key inside a JSON, query-string or
// kv-report string (see [Planted]). Noop heartbeats carry no payload and
// have no entry.
//
// # Determinism and memory
//
// All randomness comes from Options.Seed (math/rand/v2 PCG) and all times
// from Options.Start, so equal options give byte-identical files. Output is
// written round by round: memory holds one round (tens of kilobytes of
// packets) whatever Options.Size is.
package synth
