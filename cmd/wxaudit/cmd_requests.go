package main

import (
	"fmt"

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
	reveal := fs.Bool("reveal", false, "show identifying values in run labels and endpoints; by default they are pseudonyms, as in a shared report")
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
	if *limit < 0 {
		return &usageError{msg: fmt.Sprintf("requests: --limit %d cannot be negative", *limit), hint: "0 (the default) prints all"}
	}
	src, err := serve.Open(args[0])
	if err != nil {
		return withHint(err, "give a folder written by 'wxaudit corpus --out DIR' or 'wxaudit analyze --out DIR'")
	}
	shown, total, err := serve.ListRequests(e.ctx, src, expr, *limit, *asJSON, *reveal, e.stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wxaudit: %d of %d matching requests\n", shown, total)
	return nil
}
