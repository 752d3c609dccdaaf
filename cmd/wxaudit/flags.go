package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// errHelpShown ends a command after --help printed its usage; exit status 0.
var errHelpShown = errors.New("help shown")

// newFlags returns a FlagSet for a subcommand that prints its usage to
// stdout on --help and reports errors through parseFlags.
func newFlags(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("wxaudit "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: wxaudit %s %s\n\nFlags:\n", name, usage)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args allowing flags after positional arguments
// (wxaudit decrypt cap.pcap --keylog k.log), as users type them.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelpShown // flag already printed the usage
			}
			return nil, &usageError{msg: err.Error(), hint: fmt.Sprintf("run '%s --help'", fs.Name())}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
		if len(args) == 0 || !strings.HasPrefix(args[0], "-") || args[0] == "-" {
			// Collect further positional arguments until the next flag.
			for len(args) > 0 && (!strings.HasPrefix(args[0], "-") || args[0] == "-") {
				pos = append(pos, args[0])
				args = args[1:]
			}
			if len(args) == 0 {
				return pos, nil
			}
		}
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
