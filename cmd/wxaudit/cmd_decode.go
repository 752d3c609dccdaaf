package main

import (
	"errors"
	"fmt"

	"github.com/wxaudit/wxaudit/catalog"
	"github.com/wxaudit/wxaudit/decode"
)

func runDecode(e *env) error {
	fs := newFlags(e, "decode", "[--format jsonl|text] [--schema learn|FILE.proto] [--examples none|hash|raw] [--catalog FILE] [FILE...|-]")
	format := fs.String("format", "jsonl", "output `format`: jsonl or text")
	schemaArg := fs.String("schema", "", "'learn' to print learned per-endpoint .proto schemas, or a .proto `FILE` naming fields")
	examples := fs.String("examples", "none", "with --schema learn, what the schema shows of the values seen (`MODE`): none (the default: payloads hold personal data), hash (sha256 prefixes) or raw")
	catFile := fs.String("catalog", "", "catalog YAML `FILE` overriding the embedded WeChat catalog")
	published := fs.String("published", "", "published request-type table (`CSV` id,path) to merge; conflicts go to stderr")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	opts := decode.RunOptions{Stdin: e.stdin, Warn: func(err error) { fmt.Fprintf(e.stderr, "wxaudit: warning: %v\n", err) }}
	switch *format {
	case "jsonl":
	case "text":
		opts.Output = decode.OutputText
	default:
		return &usageError{msg: fmt.Sprintf("unknown format %q", *format), hint: "use --format jsonl or --format text"}
	}
	if opts.Examples, err = decode.ParseExamples(*examples); err != nil {
		return &usageError{msg: err.Error(), hint: "use --examples none, hash or raw"}
	}
	if opts.Catalog, err = catalog.Open(*catFile, *published); err != nil {
		return withHint(err, "--catalog takes a YAML file in the format of catalog/data/catalog.yaml, --published a CSV of id,path")
	}
	switch *schemaArg {
	case "":
	case "learn":
		opts.Output = decode.OutputProto
	default:
		if opts.Schema, err = decode.OpenSchema(*schemaArg); err != nil {
			return withHint(err, "--schema takes 'learn' or a .proto file written by 'wxaudit decode --schema learn'")
		}
	}
	if len(args) == 0 {
		args = []string{"-"}
	}
	err = decode.Run(e.ctx, args, opts, e.stdout)
	for _, c := range opts.Catalog.Conflicts() {
		if *published != "" { // the conflicts a published table brings
			fmt.Fprintf(e.stderr, "wxaudit: warning: catalog conflict: %s\n", c)
		}
	}
	if errors.As(err, new(*decode.SkipError)) {
		return withHint(err, "inputs are JSON Lines from 'wxaudit decrypt', Citizen Lab request logs or decrypt-keylog.py output")
	}
	return err
}
