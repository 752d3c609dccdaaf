module github.com/wxaudit/wxaudit

go 1.26.8

require (
	// Inflating payloads: measured faster than compress/flate on WeChat's zlib streams.
	github.com/klauspost/compress v1.20.4
	// Policy models, classifier rules, canaries and the catalog are YAML the user edits.
	go.yaml.in/yaml/v3 v3.0.6
	// Schema-less protobuf decoding of payloads (encoding/protowire only).
	google.golang.org/protobuf v1.36.12
	// The corpus store: SQLite with FTS5, pure Go so the binary stays static.
	modernc.org/sqlite v1.62.0
)

// Test dependencies.
require (
	// The web UI's tests drive headless Chromium over the DevTools protocol.
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
	github.com/google/go-cmp v0.7.0
	// The reference that capture's hand-written pcap/pcapng and link-layer
	// parsers are fuzzed against (pcapgo, layers); not linked into wxaudit.
	github.com/gopacket/gopacket v1.7.7
	github.com/rogpeppe/go-internal v1.16.0
)

require (
	// TCP reassembly: out-of-order segments kept ordered by sequence number.
	github.com/google/btree v1.1.3
	// Corpus export for Spark, Trino and DuckDB.
	github.com/parquet-go/parquet-go v0.32.0
)

require (
	github.com/andybalholm/brotli v1.2.8 // indirect
	github.com/dustin/go-humanize v1.1.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/ncruces/go-strftime v1.1.0 // indirect
	github.com/parquet-go/bitpack v1.0.0 // indirect
	github.com/parquet-go/jsonlite v1.0.0 // indirect
	github.com/pierrec/lz4/v4 v4.1.21 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	github.com/twpayne/go-geom v1.6.1 // indirect
	golang.org/x/net v0.61.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
	modernc.org/libc v1.80.1 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/memory v1.12.1 // indirect
)
