package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/wxaudit/wxaudit/filter"
)

// ListRequests writes the requests of src that match where, as the web UI
// lists them: a table, or one JSON object a line with asJSON. limit > 0
// stops after that many. It pages through src, so memory does not grow with
// the number of requests. Run labels and endpoints are redacted as the web
// UI shows them (reveal shows the values). It returns how many it wrote and
// how many match.
func ListRequests(ctx context.Context, src Source, where *filter.Expr, limit int, asJSON, reveal bool, w io.Writer) (shown, total int, err error) {
	ident, err := src.Identifying(ctx)
	if err != nil {
		return 0, 0, err
	}
	red := newRedactor(ident, reveal)
	enc := json.NewEncoder(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "ID\tRUN\tTIME\tFEATURE\tENDPOINT\tRECIPIENT\tDATA TYPES")
	}
	for off := 0; ; {
		p, err := src.Requests(ctx, Query{Where: where, Offset: off, Limit: MaxLimit})
		if err != nil {
			return shown, total, err
		}
		total = p.Total
		for _, q := range p.Requests {
			if limit > 0 && shown == limit {
				break
			}
			shown++
			q.Run, q.URI = red.text(q.Run), red.text(q.URI)
			if asJSON {
				if err := enc.Encode(q); err != nil {
					return shown, total, err
				}
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", q.ID, q.Run, q.Time, q.Feature, q.Endpoint(), q.Recipient, strings.Join(q.DataTypes, ","))
		}
		off += len(p.Requests)
		if len(p.Requests) == 0 || off >= p.Total || limit > 0 && shown == limit {
			break
		}
	}
	if !asJSON {
		return shown, total, tw.Flush()
	}
	return shown, total, nil
}
