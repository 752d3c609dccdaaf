// This file holds Run, the decode command's input loop.

package decode

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wxaudit/wxaudit/internal/ctxio"
)

// Output selects what Run writes.
type Output int

const (
	OutputJSON  Output = iota // one JSON line per record (as writeJSON)
	OutputText                // the text view of each record (writeText)
	OutputProto               // learned per-endpoint .proto schemas, after the last input
)

// RunOptions configures Run.
type RunOptions struct {
	Options
	Output   Output
	Examples Examples // what OutputProto shows of the values seen
	// Stdin is read for the input name "-" (a read blocked on it ends
	// with ctx); nil reads nothing.
	Stdin io.Reader
	// Warn is told of every skipped line (a *ParseError); nil ignores them.
	Warn func(error)
}

// SkipError is Run's error when no input line was a payload, or when some
// were not: skipped lines are counted, never silent.
type SkipError struct {
	Inputs  []string
	Decoded int
	Skipped int
}

func (e *SkipError) Error() string {
	if e.Decoded == 0 {
		return fmt.Sprintf("decode: no request in %s (%d lines not requests)", strings.Join(e.Inputs, ", "), e.Skipped)
	}
	return fmt.Sprintf("%d input lines were not payloads", e.Skipped)
}

// Run decodes every payload of the named inputs ("-" is opts.Stdin) in
// order and writes the records, or the learned schemas, to w. A malformed
// line is skipped (reported to opts.Warn, counted in a *SkipError at the
// end); any other error stops Run, keeping what was written before it.
// Memory is that of one line and one tree, plus the learner's bounded
// statistics with OutputProto.
func Run(ctx context.Context, inputs []string, opts RunOptions, w io.Writer) error {
	dec := NewDecoder(opts.Options)
	var learner *schemaLearner
	if opts.Output == OutputProto {
		learner = newSchemaLearner()
		learner.Examples = opts.Examples
	}
	out := bufio.NewWriterSize(w, 1<<16)
	defer out.Flush() // what was decoded before an error is kept
	skip := &SkipError{Inputs: inputs}
	var line []byte // writeJSON's buffer
	for _, name := range inputs {
		if err := runInput(ctx, name, opts, dec, learner, out, skip, &line); err != nil {
			return err
		}
	}
	if learner != nil {
		if err := learner.writeProto(out); err != nil {
			return err
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if skip.Decoded == 0 || skip.Skipped > 0 {
		return skip
	}
	return nil
}

// runInput decodes the payloads of one input.
func runInput(ctx context.Context, name string, opts RunOptions, dec *Decoder, learner *schemaLearner, out io.Writer, skip *SkipError, line *[]byte) error {
	var r io.Reader = strings.NewReader("")
	if name == "-" {
		if opts.Stdin != nil {
			r = ctxio.Reader(ctx, opts.Stdin)
		}
	} else {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	rd := NewReader(r, name)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			// One bad line never aborts the stream.
			if opts.Warn != nil {
				opts.Warn(pe)
			}
			skip.Skipped++
			continue
		}
		if err != nil {
			return err
		}
		skip.Decoded++
		rec := dec.Decode(p)
		switch {
		case learner != nil:
			learner.add(&rec)
		case opts.Output == OutputText:
			err = writeText(out, &rec)
		default:
			err = writeJSON(out, &rec, line)
		}
		if err != nil {
			return err
		}
	}
}
