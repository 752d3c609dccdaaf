package main

import (
	"flag"

	"github.com/wxaudit/wxaudit/report"
)

// applyPolicy is the hook for --policy; it does nothing until the policy
// package is wired in.
func applyPolicy(fs *flag.FlagSet, rep *report.Report) error { return nil }
