package corpus

import (
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/attribute"
	"github.com/wxaudit/wxaudit/store"
)

// Shard selects the part of a corpus one process analyses: the chains
// whose root label hashes to I modulo N (0 <= I < N). A run keeps its
// shard when other runs are added, and the runs of one chain share one.
type Shard struct{ I, N int }

// ParseShard reads "i/n".
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("corpus: --shard %q: want i/n with 0 <= i < n, e.g. 0/4", s)
	}
	return Shard{I: i, N: n}, nil
}

// has reports whether the chain with this root label is in the shard; the
// zero Shard holds every run.
func (sh Shard) has(root string) bool {
	if sh.N <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(root))
	return h.Sum64()%uint64(sh.N) == uint64(sh.I)
}

// chain is one unit of analysis: a capture run, a failed source, or the
// request logs of one chain (a log and every log it is a line prefix
// of, transitively), which share their context (analyze.Segment).
type chain struct {
	root    string // the label of the chain's first run
	members []int  // indexes into the sources, in their order
}

// chainsOf finds the segments of the request logs among srcs, streaming
// (attribute.Segments: a few bytes per log), sets each log's Segment, and
// groups the sources into chains. A log that cannot be read is failed.
// oneJob keeps the earlier grouping, all logs in one job, analyse's own
// segmentation (for the test that the two agree).
func chainsOf(srcs []Source, oneJob bool) []chain {
	var logs []int
	for i, s := range srcs {
		if s.Kind == store.KindLog && s.Err == nil {
			logs = append(logs, i)
		}
	}
	var out []chain
	if oneJob {
		for i, s := range srcs {
			if s.Kind != store.KindLog || s.Err != nil {
				out = append(out, chain{root: s.Label, members: []int{i}})
			}
		}
		if len(logs) > 0 {
			out = append(out, chain{root: srcs[logs[0]].Label, members: logs})
		}
		return out
	}
	segs, readErr := attribute.Segments(len(logs), func(k int) (io.ReadCloser, error) {
		return os.Open(srcs[logs[k]].Path)
	}, func(int) bool { return false })
	root := func(k int) int {
		for n := 0; segs[k].Extends >= 0 && n < len(segs); n++ {
			k = segs[k].Extends
		}
		return k
	}
	byRoot := map[int]int{} // root log → index in out
	for i, s := range srcs {
		if s.Kind == store.KindLog && s.Err == nil {
			continue
		}
		out = append(out, chain{root: s.Label, members: []int{i}})
	}
	for k, i := range logs {
		if readErr[k] != nil {
			srcs[i].Err = readErr[k]
			out = append(out, chain{root: srcs[i].Label, members: []int{i}})
			continue
		}
		seg := &analyze.Segment{SkipLines: segs[k].SkipLines, Lines: segs[k].Lines}
		if e := segs[k].Extends; e >= 0 {
			seg.Extends = srcs[logs[e]].Label
		}
		srcs[i].Segment = seg
		r := root(k)
		c, ok := byRoot[r]
		if !ok {
			c = len(out)
			byRoot[r] = c
			out = append(out, chain{root: srcs[logs[r]].Label})
		}
		out[c].members = append(out[c].members, i)
	}
	return out
}

// unchanged reports whether --add may keep the chain's stored runs: every
// member stored with the same fingerprint and segment, and the stored
// chain (runs linked by Extends) made of the same runs, so that no run's
// context changed.
func unchanged(c chain, srcs []Source, prev map[string]store.Run, storedChain map[string]string) bool {
	members := map[string]bool{}
	for _, i := range c.members {
		members[srcs[i].Label] = true
	}
	for _, i := range c.members {
		s := srcs[i]
		p, ok := prev[s.Label]
		if !ok || s.Err != nil || p.Fingerprint != s.Fingerprint {
			return false
		}
		seg := s.Segment
		if seg == nil {
			seg = &analyze.Segment{}
		}
		if p.Extends != seg.Extends || p.SkipLines != seg.SkipLines || s.Kind == store.KindLog && p.Lines != seg.Lines {
			return false
		}
	}
	// The stored chain of the first member must be exactly these runs.
	root := storedChain[srcs[c.members[0]].Label]
	n := 0
	for l, r := range storedChain {
		if r == root {
			if !members[l] {
				return false
			}
			n++
		}
	}
	return n == len(members)
}

// storedChains maps each stored run to the root of its stored chain.
func storedChains(stored []store.Run) map[string]string {
	ext := map[string]string{}
	for _, r := range stored {
		ext[r.Run] = r.Extends
	}
	out := map[string]string{}
	for _, r := range stored {
		l := r.Run
		for n := 0; ext[l] != "" && n < len(stored); n++ {
			l = ext[l]
		}
		out[r.Run] = l
	}
	return out
}
