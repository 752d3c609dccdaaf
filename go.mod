module github.com/wxaudit/wxaudit

go 1.26.8

require (
	// Captures: pcap/pcapng reading and writing, link-layer decoding (pcapgo, layers only).
	github.com/gopacket/gopacket v1.7.7
	// Schema-less protobuf decoding of payloads (encoding/protowire only).
	google.golang.org/protobuf v1.36.12
	// Policy models, classifier rules, canaries and the catalog are YAML the user edits.
	gopkg.in/yaml.v3 v3.0.1
)

// Test dependencies.
require (
	github.com/google/go-cmp v0.7.0
	github.com/rogpeppe/go-internal v1.16.0
)

require (
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/tools v0.26.0 // indirect
)
