// Package keylog reads and writes the key logs wxaudit decrypts with: the
// Citizen Lab Frida format (doc/keylog.md) and wxaudit's own
// versioned secrets key log. Start with [Parse], which loads a whole log
// (either format, or both mixed, detected line by line) into a [Log] indexed
// for the decrypter.
//
// # Citizen Lab Frida format
//
// One JSON object a line, in three shapes:
//
//	{"layer":"OUTER","encrypt":b,"nonce":hex12,"key":hex16,"metadata":hex13,"tail":hex8}
//	{"layer":"INNER","encrypt":b,"key":hex16,"nonce":hex16,"tail":hex8}
//	{"layer":"INNER","encrypt":b,"key":hex24,"iv":hex12,"metadata":hex,"tail":hex8,"tag":hex16}
//
// OUTER lines are MMTLS record keys; metadata is the 13-byte AAD (sequence
// number u64, record header), nonce the per-record nonce, so the connection's
// base IV is nonce XOR seq (doc/protocol.md, section 2). An OUTER line with empty
// metadata is not a record key (the app encrypting its psk.key file) and is
// counted as skipped. INNER lines with a 16-byte nonce equal to the key are
// AES-CBC business keys; INNER lines with iv and tag are AES-192-GCM keys,
// whose tail is the IV (encrypt) or the last 8 ciphertext bytes before IV and
// tag (decrypt).
//
// # Secrets key log, version 1
//
// A text file whose first non-blank line is exactly
//
//	# wxaudit-secrets v1
//
// followed by lines of space-separated fields, a label then lowercase or
// uppercase hex:
//
//	MMTLS_SECRET <client_random, 32 bytes> <secret, 32 bytes>
//	MMTLS_PSK_ACCESS <client_random of the 0-RTT ClientHello, 32 bytes> <psk_access, 32 bytes>
//	WECHAT_SESSION_KEY <inner AES-CBC session key, 16 bytes>
//	WECHAT_GCM_KEY <inner AES-192-GCM key, 24 bytes>
//
// MMTLS_SECRET is SHA-256 of the P-256 ECDH X coordinate of a full
// handshake (doc/protocol.md, section 3), keyed by that handshake's ClientHello
// random; every record key of the connection follows from it by the key
// schedule. MMTLS_PSK_ACCESS is the PSK_ACCESS secret a 0-RTT ClientHello
// resumes with, keyed by that ClientHello's random. Lines starting with # are
// comments; blank lines and CRLF endings are allowed. Readers skip (and
// count) lines with an unknown label, so later versions may add labels;
// a header naming a version other than v1 or v2 makes the following
// secrets lines malformed until the next header. [SecretsWriter] produces this format.
//
// # Secrets key log, version 2
//
// Written by wxaudit's Frida agent. The header is "# wxaudit-secrets v2";
// every v1 label is allowed, plus
//
//	MMTLS_RECORD <aad, 13 bytes> <key, 16 bytes> <nonce, 12 bytes> <tail, 8 bytes>
//
// one MMTLS record key (what a Frida OUTER line holds, for hooks on the
// record cipher). After the hex fields a line may carry key=value
// attributes (values query-escaped, order free, unknown keys ignored):
// time (RFC 3339, device clock), process (e.g. com.tencent.mm:appbrand0),
// pid, hook (the hook that saw the key and how it was found, e.g.
// "export:Java_com_tencent_mm_jni_utils_UtilsJni_HKDF"), conn (an opaque
// connection hint) and dir (enc or dec, MMTLS_RECORD). They land in
// [Entry].Meta; decrypt counts the records each hook's keys opened, which
// is how a hook earns trust. Attributes on a line under a v1 header are
// malformed. [Follower] reads logs that are still growing.
//
// # Tolerance and bounds
//
// Parse never aborts on a bad line: duplicates are dropped and counted,
// non-key lines are counted by reason, malformed lines are counted with
// their line number and reason ([Stats]). Only a read error from the
// underlying reader is returned. Lines longer than [MaxLineLen] are
// malformed; memory is at most about 400 bytes per distinct entry, and at
// most [MaxEntries] entries are kept: a further one is dropped, counted in
// [Stats].Dropped, and makes Parse, [Load] and [Follower.Poll] return
// [ErrTooManyEntries]. Key material is never logged or printed by this
// package: [Stats] holds counts and line numbers only.
package keylog
