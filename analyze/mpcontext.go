package analyze

// The Mini Program context of a finding: the session and the page its
// entry (report line or event record) is about. A stay time belongs to the
// page it was measured on, not to the page the user came from, and a Mini
// Program opened three times is three sessions: claims counts stay times
// per (appid, page, session) and sessions per appid (doc/claims.md), so
// both are read here, where the entry's other fields are at hand.

import (
	"strings"

	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/report"
)

// A Mini Program session is a launch, and WeChat names it by the launch
// time: "hash=<uin>&ts=<ms>&..." (the route report's sessionid, the batch
// report's field 9). Values merely named "session" are not it: a search
// session ("-5294457045089592549", "3_<uin>_<ms>") or a Mini Program's own
// cloud SDK session ("1681362277106", stamped seconds after the launch)
// would count launches that did not happen.

// pageKeys name the page an event happened on. referpagepath (the page
// the user came from) and targetPagePath (where a navigation goes) are
// pages too, but not the page of the entry's stay time or event.
var pageKeys = map[string]bool{"page_path": true, "pagepath": true, "page": true, "cur_path": true, "curpath": true, "route": true}

// mpScope holds, per entry, the session and page it states.
type mpScope struct {
	sessions map[int][]string
	pages    map[int][]string
	up       map[int]int
}

func newMPScope(fields []classify.Field, up map[int]int) mpScope {
	s := mpScope{sessions: map[int][]string{}, pages: map[int][]string{}, up: up}
	for i := range fields {
		fd := &fields[i]
		if fd.Kind != classify.KindText || fd.Text == "" {
			continue
		}
		key := strings.ToLower(lastKey(fd.Path))
		switch {
		case isLaunchID(fd.Text):
			s.sessions[fd.Entry] = appendNew(s.sessions[fd.Entry], fd.Text)
		case pageKeys[key] && strings.Contains(fd.Text, "/"):
			s.pages[fd.Entry] = appendNew(s.pages[fd.Entry], report.NormalisePage(fd.Text))
		}
	}
	return s
}

// of returns the one value of the innermost scope that states any, as
// appidFor does for appids; several candidates there mean none.
func (s mpScope) of(by map[int][]string, entries []int) string {
	var cands []string
	for _, e := range entries {
		for depth := 0; depth < 64; depth++ {
			if len(by[e]) > 0 {
				for _, v := range by[e] {
					cands = appendNew(cands, v)
				}
				break
			}
			if e == 0 {
				break
			}
			e = s.up[e]
		}
	}
	if len(cands) == 1 {
		return cands[0]
	}
	return ""
}

// lastKey is the last component of a field path ("2.2.page_path" →
// "page_path"; "2.7.dataArray[][].errMsg" → "errMsg").
func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	return strings.TrimRight(path, "[]")
}

func appendNew(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// isLaunchID recognises a Mini Program session id by its form, whatever
// the field is named (batch reports send it in a numbered field).
func isLaunchID(s string) bool {
	return strings.HasPrefix(s, "hash=") && strings.Contains(s, "&ts=")
}
