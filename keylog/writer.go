// This file writes key logs: the secrets key log (package doc) and the
// Citizen Lab Frida format (doc/protocol.md, section 7), for the synthetic
// traffic generator.

package keylog

import (
	"io"

	"github.com/wxaudit/wxaudit/mmtls"
)

// SecretsWriter writes a secrets key log, version 1. The header line is written
// before the first entry. Errors are sticky: after the first failed write
// every call returns it.
type SecretsWriter struct {
	w      io.Writer
	header bool
	buf    []byte
	err    error
}

// NewSecretsWriter returns a SecretsWriter of the secrets key log to w.
func NewSecretsWriter(w io.Writer) *SecretsWriter { return &SecretsWriter{w: w} }

func (w *SecretsWriter) write(label string, fields ...[]byte) error {
	if w.err != nil {
		return w.err
	}
	w.buf = w.buf[:0]
	if !w.header {
		w.buf = append(w.buf, SecretsHeader+"\n"...)
		w.header = true
	}
	w.buf = appendSecretsLine(w.buf, label, fields...)
	_, w.err = w.w.Write(w.buf)
	return w.err
}

// Secret writes MMTLS_SECRET: the SHA-256 of the ECDH X coordinate of the
// full handshake whose ClientHello random is clientRandom.
func (w *SecretsWriter) Secret(clientRandom [32]byte, secret [32]byte) error {
	return w.write(LabelSecret, clientRandom[:], secret[:])
}

// PSKAccess writes MMTLS_PSK_ACCESS for a 0-RTT ClientHello random.
func (w *SecretsWriter) PSKAccess(clientRandom [32]byte, pskAccess [32]byte) error {
	return w.write(LabelPSKAccess, clientRandom[:], pskAccess[:])
}

// SessionKey writes WECHAT_SESSION_KEY (inner AES-CBC key).
func (w *SecretsWriter) SessionKey(key [16]byte) error { return w.write(LabelSessionKey, key[:]) }

// GCMKey writes WECHAT_GCM_KEY (inner AES-192-GCM key).
func (w *SecretsWriter) GCMKey(key [24]byte) error { return w.write(LabelGCMKey, key[:]) }

// FridaWriter writes the Citizen Lab Frida format, one JSON object a line,
// as the published hooks do. Errors are sticky.
type FridaWriter struct {
	w   io.Writer
	buf []byte
	err error
}

// NewFridaWriter returns a FridaWriter to w.
func NewFridaWriter(w io.Writer) *FridaWriter { return &FridaWriter{w: w} }

// Write writes one entry of KindOuter, KindCBC or KindGCM (other kinds are
// written in the secrets syntax, which Parse also reads).
func (w *FridaWriter) Write(e Entry) error {
	if w.err != nil {
		return w.err
	}
	w.buf = AppendLine(w.buf[:0], e)
	_, w.err = w.w.Write(w.buf)
	return w.err
}

// Outer writes an OUTER line for record seq with header hdr (length
// including the tag), encrypted with key and nonce mmtls.RecordNonce(baseIV, seq);
// tail is the last 8 bytes of the record body.
func (w *FridaWriter) Outer(encrypt bool, key [16]byte, baseIV [12]byte, seq uint64, hdr [5]byte, tail [8]byte) error {
	return w.Write(Entry{Kind: KindOuter, Encrypt: encrypt, Key16: key, BaseIV: baseIV,
		Nonce: mmtls.RecordNonce(baseIV, seq), Seq: seq, Header: hdr, Tail: tail})
}

// CBC writes an INNER AES-CBC line (key = IV); tail is the last 8 bytes of
// the ciphertext.
func (w *FridaWriter) CBC(encrypt bool, key [16]byte, tail [8]byte) error {
	return w.Write(Entry{Kind: KindCBC, Encrypt: encrypt, Key16: key, Tail: tail})
}

// GCM writes an INNER AES-GCM line. Like the real hooks, it logs the IV as
// the tail when encrypting (tail is ignored) and tail, the last 8
// ciphertext bytes before IV and tag, when decrypting.
func (w *FridaWriter) GCM(encrypt bool, key [24]byte, iv [12]byte, tag [16]byte, aad []byte, tail [8]byte) error {
	if encrypt {
		return w.Write(Entry{Kind: KindGCM, Encrypt: true, Key24: key, IV: iv, Tag: tag, AAD: aad, TailIsIV: true})
	}
	return w.Write(Entry{Kind: KindGCM, Encrypt: encrypt, Key24: key, IV: iv, Tag: tag, AAD: aad, Tail: tail})
}
