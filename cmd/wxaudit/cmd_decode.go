package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wxaudit/wxaudit/catalog"
	"github.com/wxaudit/wxaudit/decode"
	"github.com/wxaudit/wxaudit/internal/ctxio"
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
	if *format != "jsonl" && *format != "text" {
		return &usageError{msg: fmt.Sprintf("unknown format %q", *format), hint: "use --format jsonl or --format text"}
	}
	exMode, err := decode.ParseExamples(*examples)
	if err != nil {
		return &usageError{msg: err.Error(), hint: "use --examples none, hash or raw"}
	}
	cat := catalog.Default()
	if *catFile != "" {
		f, err := os.Open(*catFile)
		if err != nil {
			return withHint(err, "--catalog takes a YAML file in the format of catalog/data/catalog.yaml")
		}
		err = cat.Merge(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	if *published != "" {
		f, err := os.Open(*published)
		if err != nil {
			return err
		}
		err = cat.AddPublished(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	opts := decode.Options{Catalog: cat}
	learn := *schemaArg == "learn"
	if *schemaArg != "" && !learn {
		f, err := os.Open(*schemaArg)
		if err != nil {
			return withHint(err, "--schema takes 'learn' or a .proto file written by 'wxaudit decode --schema learn'")
		}
		s, err := decode.ParseProto(f)
		f.Close()
		if err != nil {
			return err
		}
		opts.Schema = s
	}
	if len(args) == 0 {
		args = []string{"-"}
	}
	dec := decode.NewDecoder(opts)
	var learner *decode.Learner
	if learn {
		learner = decode.NewLearner()
		learner.Examples = exMode
	}
	out := bufio.NewWriterSize(e.stdout, 1<<16)
	defer out.Flush() // what was decoded before an error is kept
	var bad, good int
	for _, name := range args {
		var r io.Reader
		if name == "-" {
			r = ctxio.Reader(e.ctx, e.stdin)
		} else {
			f, err := os.Open(name)
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		rd := decode.NewReader(r, name)
		for {
			p, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			var pe *decode.ParseError
			if errors.As(err, &pe) {
				// One bad line never aborts the stream.
				fmt.Fprintf(e.stderr, "wxaudit: warning: %v\n", pe)
				bad++
				continue
			}
			if err != nil {
				return err
			}
			good++
			rec := dec.Decode(p)
			switch {
			case learner != nil:
				learner.Add(&rec)
			case *format == "text":
				err = decode.WriteText(out, &rec)
			default:
				err = decode.WriteJSON(out, &rec)
			}
			if err != nil {
				return err
			}
		}
	}
	if learner != nil {
		if err := learner.WriteProto(out); err != nil {
			return err
		}
	}
	for _, c := range dec.Catalog().Conflicts() {
		if *published != "" {
			fmt.Fprintf(e.stderr, "wxaudit: warning: catalog conflict: %s\n", c)
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if good == 0 {
		return withHint(fmt.Errorf("decode: no request in %s (%d lines not requests)", strings.Join(args, ", "), bad),
			"inputs are JSON Lines from 'wxaudit decrypt', Citizen Lab request logs or decrypt-keylog.py output")
	}
	if bad > 0 {
		return withHint(fmt.Errorf("%d input lines were not payloads", bad), "inputs are JSON Lines from 'wxaudit decrypt', Citizen Lab request logs or decrypt-keylog.py output")
	}
	return nil
}
