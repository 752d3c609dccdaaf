package decrypt

import (
	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/reassemble"
)

// Stats says what a run found, decrypted, and why not. It holds counts
// only, never key material or plaintext.
type Stats struct {
	Capture    capture.Stats    `json:"capture"`
	Keylog     *keylog.Stats    `json:"keylog,omitempty"`
	Reassembly reassemble.Stats `json:"reassembly"`

	Connections int `json:"connections"`
	// ConnectionsIdle counts connections closed after Options'
	// idle timeout (the others ended or were open at the end).
	ConnectionsIdle   int            `json:"connections_closed_idle"`
	ConnectionsByLink map[string]int `json:"connections_by_link"`

	Records             int            `json:"records"`
	RecordsByType       map[string]int `json:"records_by_type"`
	RecordsPlaintext    int            `json:"records_plaintext"`
	RecordsEncrypted    int            `json:"records_encrypted"`
	RecordsDecrypted    int            `json:"records_decrypted"`
	RecordsMultiSegment int            `json:"records_multi_segment"`
	RecordsNotDecrypted map[string]int `json:"records_not_decrypted"`

	// AppData counts decrypted application-data records.
	AppData int `json:"app_data_records"`

	Payloads             int            `json:"payloads"`
	PayloadsByInner      map[string]int `json:"payloads_by_inner"`
	PayloadsCompressed   int            `json:"payloads_compressed"`
	PayloadsNotDecrypted map[string]int `json:"payloads_not_decrypted"`
	Heartbeats           int            `json:"longlink_heartbeats"`

	HTTPRequests  int `json:"http_requests"`
	HTTPResponses int `json:"http_responses"`

	// SkippedBytes counts stream bytes that could not be framed, by reason.
	SkippedBytes map[string]int64 `json:"skipped_bytes"`
	// Signatures counts WeChat header signatures checked.
	SignaturesOK  int `json:"signatures_ok"`
	SignaturesBad int `json:"signatures_bad"`
	// HandshakeErrors counts hellos the key schedule could not use.
	HandshakeErrors int `json:"handshake_errors"`
	// Hooks counts, per hook named in a v2 key log, the records its keys
	// opened: a hook is trusted once its count is above zero.
	Hooks map[string]int `json:"records_opened_by_hook,omitempty"`
	// PSK is set when psk.key tickets were given (psk.go).
	PSK *PSKStats `json:"psk,omitempty"`
	// Live is set for live decoding (live.go).
	Live *LiveStats `json:"live,omitempty"`
}

func newStats() *Stats {
	return &Stats{
		ConnectionsByLink:    map[string]int{},
		RecordsByType:        map[string]int{},
		RecordsNotDecrypted:  map[string]int{},
		PayloadsByInner:      map[string]int{},
		PayloadsNotDecrypted: map[string]int{},
		SkippedBytes:         map[string]int64{},
	}
}
