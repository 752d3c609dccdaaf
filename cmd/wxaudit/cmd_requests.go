package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/wxaudit/wxaudit/filter"
	"github.com/wxaudit/wxaudit/serve"
)

func runRequests(e *env) error {
	fs := newFlags(e, "requests", "[flags] DIR   (a corpus or report folder)\n\n"+
		"--where takes the web UI's filter expression: terms ANDed, key op value, e.g.\n"+
		"  'data_type=location,coarse_location perm=off -recipient=wechat time>=2024-10-01T09:30'\n"+
		"Keys: run feature endpoint data_type recipient permissions appid req_type time;\n"+
		"ops: = != ~ (substring) and < <= > >= for time and req_type.")
	where := fs.String("where", "", "filter expression (see above)")
	asJSON := fs.Bool("json", false, "print one JSON object a line")
	limit := fs.Int("limit", 0, "print at most this many (0: all)")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return &usageError{msg: "requests: want one report folder", hint: "wxaudit requests --where 'data_type=location' report/"}
	}
	expr, err := filter.Parse(*where)
	if err != nil {
		return &usageError{msg: err.Error(), hint: "e.g. --where 'feature=location perm=off'"}
	}
	src, err := serve.Open(args[0])
	if err != nil {
		return withHint(err, "give a folder written by 'wxaudit corpus --out DIR' or 'wxaudit analyze --out DIR'")
	}
	enc := json.NewEncoder(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	if !*asJSON {
		fmt.Fprintln(tw, "ID\tRUN\tTIME\tFEATURE\tENDPOINT\tRECIPIENT\tDATA TYPES")
	}
	shown, total := 0, 0
	for off := 0; ; {
		p, err := src.Requests(e.ctx, serve.Query{Where: expr, Offset: off, Limit: serve.MaxLimit})
		if err != nil {
			return err
		}
		total = p.Total
		for _, q := range p.Requests {
			if *limit > 0 && shown == *limit {
				break
			}
			shown++
			if *asJSON {
				if err := enc.Encode(q); err != nil {
					return err
				}
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", q.ID, q.Run, q.Time, q.Feature, q.Endpoint(), q.Recipient, strings.Join(q.DataTypes, ","))
		}
		off += len(p.Requests)
		if len(p.Requests) == 0 || off >= p.Total || *limit > 0 && shown == *limit {
			break
		}
	}
	if !*asJSON {
		tw.Flush()
	}
	fmt.Fprintf(e.stderr, "wxaudit: %d of %d matching requests\n", shown, total)
	return nil
}
