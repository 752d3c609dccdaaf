package decrypt

import (
	"fmt"
	"strconv"
	"time"

	"github.com/wxaudit/wxaudit/payload"
)

// LiveLine is the one-line view of a request payload that live decoding
// prints on the terminal, or "" for other payloads (responses). It names
// the API and the size, never the account (the uin is an identifier).
func LiveLine(p *payload.Payload) string {
	if p.Direction != payload.DirRequest {
		return ""
	}
	at := p.Time
	if t, err := time.Parse(time.RFC3339Nano, p.Time); err == nil {
		at = t.Local().Format("15:04:05.000")
	}
	what := p.URI
	switch {
	case what != "":
	case p.CmdID != 0:
		what = "longlink cmd " + strconv.FormatUint(uint64(p.CmdID), 10)
	case p.ReqType != 0:
		what = "req type " + strconv.Itoa(p.ReqType)
	default:
		what = "(unnamed)"
	}
	if p.Part != "" && p.Part != "payload" {
		what += " [" + p.Part + "]"
	}
	inner := p.Inner
	if inner == "" {
		inner = "-"
	}
	return fmt.Sprintf("%s  %-9s %-52s %7d B  %s", at, p.Link, what, len(p.Payload), inner)
}
