package schemaless

import (
	"path/filepath"
	"testing"
)

// BenchmarkDecode measures decode throughput over the longest Citizen Lab
// request log (every other log is a prefix of it) and over synthetic data.
func BenchmarkDecode(b *testing.B) {
	b.Run("ReportLogs", func(b *testing.B) {
		dir := sharedDir(b)
		ps, _ := logPayloads(b, filepath.Join(dir, "report-logs", "startup_data_1.log.jsonl"))
		total := 0
		for _, p := range ps {
			total += len(p)
		}
		b.SetBytes(int64(total))
		b.ReportAllocs()
		for b.Loop() {
			for _, p := range ps {
				Decode(p, Options{})
			}
		}
	})
	b.Run("Synthetic", func(b *testing.B) {
		p := syntheticRequest()
		b.SetBytes(int64(len(p)))
		b.ReportAllocs()
		for b.Loop() {
			Decode(p, Options{})
		}
	})
}
