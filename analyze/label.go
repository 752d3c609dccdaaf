package analyze

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// DefaultLabel returns the default run label for a path: its file name without
// .log.jsonl, .jsonl, .log, .json, .pcapng or .pcap (and .gz).
func DefaultLabel(path string) string {
	b := strings.TrimSuffix(filepath.Base(path), ".gz")
	for _, ext := range []string{".log.jsonl", ".jsonl", ".log", ".json", ".pcapng", ".pcap"} {
		if s, ok := strings.CutSuffix(b, ext); ok {
			return s
		}
	}
	return b
}

// Labels returns a distinct run label per path, in order. A label is the
// file's Label; inputs whose labels collide (run1/capture.pcapng,
// run2/capture.pcapng) get as many of their folders in front as it takes
// to tell them apart ("run1/capture", "run2/capture"); the same path given
// twice gets "#2", "#3". Corpus-wide labelling uses it too.
func Labels(paths []string) []string {
	labels := make([]string, len(paths))
	dirs := make([][]string, len(paths)) // folders, innermost first
	for i, p := range paths {
		labels[i] = DefaultLabel(p)
		d := filepath.ToSlash(filepath.Dir(filepath.Clean(p)))
		for _, c := range strings.Split(d, "/") {
			if c != "" && c != "." {
				dirs[i] = append(dirs[i], c)
			}
		}
		slices.Reverse(dirs[i])
	}
	for depth := 1; ; depth++ {
		groups := map[string][]int{}
		for i, l := range labels {
			groups[l] = append(groups[l], i)
		}
		grew := false
		for _, idx := range groups {
			if len(idx) < 2 {
				continue
			}
			for _, i := range idx {
				if depth <= len(dirs[i]) {
					labels[i] = dirs[i][depth-1] + "/" + labels[i]
					grew = true
				}
			}
		}
		if !grew {
			break
		}
	}
	return unique(labels)
}

// unique appends "#2", "#3"… to repeated labels.
func unique(labels []string) []string {
	used := map[string]int{}
	out := make([]string, len(labels))
	for i, l := range labels {
		used[l]++
		if n := used[l]; n > 1 {
			l = fmt.Sprintf("%s#%d", l, n)
		}
		out[i] = l
	}
	return out
}
