package decrypt

import (
	"fmt"
	"sort"
	"strings"
)

// Summary is the one-line account of a run printed on stderr: connections by
// link, records, payloads, and what was not decrypted and why.
func (st *Stats) Summary() string {
	var links []string
	for k, v := range st.ConnectionsByLink {
		links = append(links, fmt.Sprintf("%d %s", v, k))
	}
	sort.Strings(links)
	s := fmt.Sprintf("%d connections (%s), %d records (%d plaintext, %d decrypted), %d payloads, %d http requests",
		st.Connections, strings.Join(links, ", "), st.Records, st.RecordsPlaintext, st.RecordsDecrypted, st.Payloads, st.HTTPRequests)
	var not []string
	for k, v := range st.RecordsNotDecrypted {
		not = append(not, fmt.Sprintf("%d %s", v, k))
	}
	for k, v := range st.PayloadsNotDecrypted {
		not = append(not, fmt.Sprintf("%d payloads %s", v, k))
	}
	sort.Strings(not)
	if len(not) > 0 {
		s += "; not decrypted: " + strings.Join(not, ", ")
	}
	return s
}
