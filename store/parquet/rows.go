package parquet

// RunRow is the one row of parquet/runs/run=<label>/.
type RunRow struct {
	Source               string            `parquet:"source"`
	Kind                 string            `parquet:"kind"`
	Status               string            `parquet:"status"`
	Error                string            `parquet:"error"`
	Fingerprint          string            `parquet:"fingerprint"`
	AnalysedAt           string            `parquet:"analysed_at"`
	Permissions          string            `parquet:"permissions"`
	PermissionStates     map[string]string `parquet:"permission_states"`
	Category             string            `parquet:"category"`
	DeviceModel          string            `parquet:"device_model"`
	Android              string            `parquet:"android"`
	ABI                  string            `parquet:"abi"`
	AppPackage           string            `parquet:"app_package"`
	AppVersion           string            `parquet:"app_version"`
	Started              string            `parquet:"started"`
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
}

// RequestRow is one row of parquet/requests/run=<label>/.
type RequestRow struct {
	ID            int64    `parquet:"id"`
	Seq           int64    `parquet:"seq"`
	Time          string   `parquet:"time"`
	Feature       string   `parquet:"feature"`
	FeatureReason string   `parquet:"feature_reason"`
	Recipient     string   `parquet:"recipient"`
	URI           string   `parquet:"uri"`
	ReqType       int64    `parquet:"req_type"`
	Size          int64    `parquet:"size"`
	Source        string   `parquet:"source"`
	DataTypes     []string `parquet:"data_types,list"`
	// Payload is the decrypted plaintext: the user's data.
	Payload []byte `parquet:"payload,optional"`
}

// FindingRow is one row of parquet/findings/run=<label>/.
type FindingRow struct {
	ID            string   `parquet:"id"`
	Request       int64    `parquet:"request"`
	DataType      string   `parquet:"data_type"`
	Confidence    string   `parquet:"confidence"`
	Feature       string   `parquet:"feature"`
	Recipient     string   `parquet:"recipient"`
	URI           string   `parquet:"uri"`
	ReqType       int64    `parquet:"req_type"`
	Permissions   string   `parquet:"permissions"`
	Time          string   `parquet:"time"`
	AppID         string   `parquet:"appid"`
	FieldPath     string   `parquet:"field_path"`
	Value         string   `parquet:"value"`
	Rule          string   `parquet:"rule"`
	Reason        string   `parquet:"reason"`
	SourceFile    string   `parquet:"source_file"`
	SourceLine    int64    `parquet:"source_line"`
	Frames        []int64  `parquet:"frames,list"`
	Lat           *float64 `parquet:"lat,optional"`
	Lon           *float64 `parquet:"lon,optional"`
	PrecisionM    *float64 `parquet:"precision_m,optional"`
	CoordEncoding string   `parquet:"coord_encoding"`
}

// GapRow is one row of parquet/gaps/run=<label>/.
type GapRow struct {
	ID        int64    `parquet:"id"`
	Kind      string   `parquet:"kind"`
	DataType  string   `parquet:"data_type"`
	Feature   string   `parquet:"feature"`
	Recipient string   `parquet:"recipient"`
	Clause    string   `parquet:"clause"`
	Statement string   `parquet:"statement"`
	Findings  []string `parquet:"findings,list"`
}
