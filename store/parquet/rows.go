package parquet

import "time"

// The row types are the tables' schemas; doc/parquet.md documents every
// column. Every table has the run label as its first column, a string
// whatever the label looks like (the partition folder's name is not a
// column to rely on, see PartitionDir). Times are UTC instants
// (TIMESTAMP, microseconds), NULL when unknown.

// RunRow is the one row of parquet/runs/part=run-<label>/.
type RunRow struct {
	Run                  string            `parquet:"run"`
	Source               string            `parquet:"source"`
	Kind                 string            `parquet:"kind"`
	Status               string            `parquet:"status"`
	Error                string            `parquet:"error"`
	Fingerprint          string            `parquet:"fingerprint"`
	AnalysedAt           *time.Time        `parquet:"analysed_at,timestamp(microsecond)"`
	Permissions          string            `parquet:"permissions"`
	PermissionStates     map[string]string `parquet:"permission_states"`
	Category             string            `parquet:"category"`
	DeviceModel          string            `parquet:"device_model"`
	Android              string            `parquet:"android"`
	ABI                  string            `parquet:"abi"`
	AppPackage           string            `parquet:"app_package"`
	AppVersion           string            `parquet:"app_version"`
	Started              *time.Time        `parquet:"started,timestamp(microsecond)"`
	Requests             int64             `parquet:"requests"`
	Findings             int64             `parquet:"findings"`
	DataTypes            []string          `parquet:"data_types,list"`
	DecryptedPayloads    int64             `parquet:"decrypted_payloads"`
	MiniProgramBrowsing  bool              `parquet:"miniprogram_browsing"`
	RecordsEncrypted     *int64            `parquet:"records_encrypted,optional"`
	RecordsDecrypted     *int64            `parquet:"records_decrypted,optional"`
	PayloadsNotDecrypted *int64            `parquet:"payloads_not_decrypted,optional"`
	Coverage             *float64          `parquet:"coverage,optional"`
	NotDecrypted         []string          `parquet:"not_decrypted,list"`
	AnalysisErrors       int64             `parquet:"analysis_errors"`
	// What the run's requests show, from its findings (runRow).
	MiniPrograms           []string `parquet:"miniprograms,list"`
	Features               []string `parquet:"features,list"`
	DetectedDeviceModels   []string `parquet:"detected_device_models,list"`
	DetectedOSVersions     []string `parquet:"detected_os_versions,list"`
	DetectedClientVersions []string `parquet:"detected_client_versions,list"`
}

// RequestRow is one row of parquet/requests/part=run-<label>/.
type RequestRow struct {
	Run           string     `parquet:"run"`
	ID            int64      `parquet:"id"`
	Seq           int64      `parquet:"seq"`
	Time          *time.Time `parquet:"time,timestamp(microsecond)"`
	Feature       string     `parquet:"feature"`
	FeatureReason string     `parquet:"feature_reason"`
	Recipient     string     `parquet:"recipient"`
	URI           string     `parquet:"uri"`
	ReqType       int64      `parquet:"req_type"`
	Size          int64      `parquet:"size"`
	Source        string     `parquet:"source"`
	DataTypes     []string   `parquet:"data_types,list"`
	// Payload is the decrypted plaintext: the user's data.
	Payload []byte `parquet:"payload,optional"`
}

// FindingRow is one row of parquet/findings/part=run-<label>/.
type FindingRow struct {
	Run           string     `parquet:"run"`
	ID            string     `parquet:"id"`
	Request       int64      `parquet:"request"`
	DataType      string     `parquet:"data_type"`
	Confidence    string     `parquet:"confidence"`
	Feature       string     `parquet:"feature"`
	Recipient     string     `parquet:"recipient"`
	URI           string     `parquet:"uri"`
	ReqType       int64      `parquet:"req_type"`
	Permissions   string     `parquet:"permissions"`
	Time          *time.Time `parquet:"time,timestamp(microsecond)"`
	AppID         string     `parquet:"appid"`
	FieldPath     string     `parquet:"field_path"`
	Value         string     `parquet:"value"`
	Rule          string     `parquet:"rule"`
	Reason        string     `parquet:"reason"`
	SourceFile    string     `parquet:"source_file"`
	SourceLine    int64      `parquet:"source_line"`
	Frames        []int64    `parquet:"frames,list"`
	Lat           *float64   `parquet:"lat,optional"`
	Lon           *float64   `parquet:"lon,optional"`
	PrecisionM    *float64   `parquet:"precision_m,optional"`
	CoordEncoding string     `parquet:"coord_encoding"`
}

// GapRow is one row of parquet/gaps/part=run-<label>/.
type GapRow struct {
	Run       string   `parquet:"run"`
	ID        int64    `parquet:"id"`
	Kind      string   `parquet:"kind"`
	DataType  string   `parquet:"data_type"`
	Feature   string   `parquet:"feature"`
	Recipient string   `parquet:"recipient"`
	Clause    string   `parquet:"clause"`
	Statement string   `parquet:"statement"`
	Findings  []string `parquet:"findings,list"`
}

// StringRow is one row of parquet/strings/part=run-<label>/: one decoded
// string value of a request, as the store keeps it for search.
type StringRow struct {
	Run       string `parquet:"run"`
	Request   int64  `parquet:"request"`
	FieldPath string `parquet:"field_path"`
	Value     string `parquet:"value"`
}
