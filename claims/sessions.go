package claims

import (
	"slices"
	"strconv"
	"strings"
)

// A Mini Program session is one launch. WeChat's reports name it by a
// launch time in milliseconds, "hash=<uin>&ts=<ms>&..." (analyze keeps
// only ids of that form); components stamp the same launch a few
// milliseconds apart (8 ms in the shared logs). So
// stamps closer than sessionGap are one session; an id with no stamp
// counts one.
const sessionGap = 2000 // ms

// launchMillis reads the launch time of a session id, if it states one.
func launchMillis(id string) (int64, bool) {
	if i := strings.Index(id, "ts="); i >= 0 && (i == 0 || id[i-1] == '&') {
		v := id[i+3:]
		if j := strings.IndexByte(v, '&'); j >= 0 {
			v = v[:j]
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// countSessions counts the launches among stated session ids.
func countSessions(ids map[string]bool) int {
	var stamps []int64
	n := 0
	for id := range ids {
		if ms, ok := launchMillis(id); ok {
			stamps = append(stamps, ms)
		} else {
			n++
		}
	}
	slices.Sort(stamps)
	for i, ms := range stamps {
		if i == 0 || ms-stamps[i-1] >= sessionGap {
			n++
		}
	}
	return n
}
