// Package payload defines Payload, the unit that flows from the decryption
// stage (wxaudit decrypt, or a plaintext request log) into decoding and
// analysis, and its JSON Lines form.
//
// The JSON field names are the documented output format of `wxaudit decrypt`
// (see doc/cli.md, "Payload JSONL"); renaming one is a breaking change.
package payload

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Link names how a payload travelled.
const (
	LinkShortlink = "shortlink" // HTTP POST /mmtls/… with MMTLS records in the body
	LinkLonglink  = "longlink"  // MMTLS records on a long-lived TCP connection
	LinkHTTP      = "http"      // plain HTTP without MMTLS (e.g. newgetdns)
	LinkLog       = "log"       // a plaintext request log written by hooks
)

// Direction of a payload.
const (
	DirRequest  = "request"
	DirResponse = "response"
)

// Conn names a TCP connection by its endpoints as "addr:port".
type Conn struct {
	Client string `json:"client"`
	Server string `json:"server"`
}

// Payload is one decrypted (or logged) plaintext with its provenance.
//
// Fields that do not apply are left zero and omitted from JSON, except
// Payload, which is always present (possibly "").
type Payload struct {
	// Provenance.
	Capture string  `json:"capture,omitempty"` // capture file the bytes came from
	Source  string  `json:"source,omitempty"`  // request-log file the line came from
	Line    int     `json:"line,omitempty"`    // 1-based line in Source
	Frames  []int64 `json:"frames,omitempty"`  // capture frame numbers (1-based) holding the bytes
	Time    string  `json:"time,omitempty"`    // RFC 3339 capture time of the last frame
	Conn    *Conn   `json:"conn,omitempty"`

	// Transport.
	Link      string  `json:"link"`
	Direction string  `json:"direction"`
	RecordSeq *uint64 `json:"record_seq,omitempty"` // MMTLS record sequence number
	URI       string  `json:"uri,omitempty"`        // API path, e.g. /cgi-bin/micromsg-bin/newsync
	Host      string  `json:"host,omitempty"`

	// Business layer.
	ReqType       int    `json:"req_type,omitempty"`
	Uin           uint32 `json:"uin,omitempty"`
	ClientVersion uint32 `json:"client_version,omitempty"`
	CmdID         uint32 `json:"cmd_id,omitempty"`
	LonglinkSeq   uint32 `json:"longlink_seq,omitempty"`
	Inner         string `json:"inner,omitempty"`
	Compressed    bool   `json:"compressed,omitempty"`
	// Part names a piece of a multi-part body (the hybrid-ECDH auth
	// exchange): "payload", "client_random_1", …; empty for ordinary bodies.
	Part string `json:"part,omitempty"`
	// SignatureOK is set when the WeChat header signature could be checked.
	SignatureOK *bool `json:"signature_ok,omitempty"`

	// Payload is the final plaintext (after inner decryption and inflation).
	Payload Hex `json:"payload"`
}

// Hex is a byte slice that marshals to and from lowercase hex in JSON.
type Hex []byte

// MarshalJSON implements json.Marshaler.
func (h Hex) MarshalJSON() ([]byte, error) {
	out := make([]byte, 0, len(h)*2+2)
	out = append(out, '"')
	out = hex.AppendEncode(out, h)
	return append(out, '"'), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (h *Hex) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("payload: hex field: %w", err)
	}
	d, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("payload: hex field: %w", err)
	}
	*h = d
	return nil
}
