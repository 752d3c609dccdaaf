package analyze

import (
	"slices"
	"testing"
)

func TestLabels(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{[]string{"a/capture.pcapng", "b/capture.pcapng", "c/capture.pcapng"}, []string{"a/capture", "b/capture", "c/capture"}},
		{[]string{"x/run/capture.pcap", "y/run/capture.pcap", "login.log.jsonl"}, []string{"x/run/capture", "y/run/capture", "login"}},
		{[]string{"capture.pcap", "run/capture.pcap.gz"}, []string{"capture", "run/capture"}},
		{[]string{"startup.log.jsonl", "startup.log.jsonl"}, []string{"startup", "startup#2"}},
		{[]string{"/abs/a/s.jsonl", "rel/a/s.jsonl", "login.jsonl"}, []string{"abs/a/s", "rel/a/s", "login"}},
	}
	for _, tt := range tests {
		if got := Labels(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Labels(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
