package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/wxaudit/wxaudit/capturekit"
	"github.com/wxaudit/wxaudit/runfolder"
)

func runCapture(e *env) error {
	fs := newFlags(e, "capture", "--out DIR [--label L] [--permissions location=on,contacts=off] | --print-agent | --dry-run")
	out := fs.String("out", "", "run folder to create (capture.pcap, keys.log, agent.js, driver.py, hooks.json, run.yaml)")
	label := fs.String("label", "", "name of the run (default: the folder name)")
	var perms stringList
	fs.Var(&perms, "permissions", "Android permission states, `name=on|off|unknown`, comma-separated; repeatable")
	category := fs.String("category", "", "the Mini Program's category, if the run is about one")
	serial := fs.String("serial", "", "adb serial of the phone, when several are attached")
	printAgent := fs.Bool("print-agent", false, "print the Frida agent (JavaScript) and exit: frida -U -f com.tencent.mm -l agent.js -o keys.log")
	appVersion := fs.String("app-version", "", "with --print-agent or --dry-run: WeChat version, to pick offset profiles published for it")
	dryRun := fs.Bool("dry-run", false, "write driver.py and agent.js into --out and print the commands a capture runs (runnable as printed); run nothing")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return &usageError{msg: fmt.Sprintf("unexpected argument %q", args[0]), hint: "run 'wxaudit capture --help'"}
	}
	if *printAgent {
		_, err := io.WriteString(e.stdout, capturekit.Agent(capturekit.AgentConfig{AppVersion: *appVersion, Console: true}))
		return err
	}
	if *out == "" {
		return &usageError{msg: "--out is required", hint: "wxaudit capture --out runs/mp-location-on/ --label mp-location-on --permissions location=on"}
	}
	pm, err := runfolder.ParsePermissions(perms)
	if err != nil {
		return &usageError{msg: err.Error(), hint: "permissions look like location=on,contacts=off"}
	}
	if *dryRun {
		// The commands read driver.py and agent.js from the run folder:
		// write them, so the commands run as printed.
		if err := capturekit.WriteKit(*out, *appVersion); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "# wxaudit capture --dry-run: the commands a capture into %s runs, in order; only %s and %s were written\n", *out, capturekit.FileDriver, capturekit.FileAgent)
		if *appVersion == "" {
			fmt.Fprintf(e.stdout, "# agent.js has no WeChat version: offset hooks stay off; pass --app-version (the 'WeChat version' step prints it)\n")
		}
		for _, c := range capturekit.Plan(capturekit.Tools{}, &capturekit.Device{Serial: *serial}, *out) {
			fmt.Fprintf(e.stdout, "# %s\n%s\n", c.What, c)
		}
		return nil
	}
	if *label == "" {
		*label = runfolder.DefaultLabel(*out)
	}
	res, err := capturekit.Capture(e.ctx, capturekit.Options{
		Out: *out, Label: *label, Permissions: pm, Category: *category, Serial: *serial,
		Steps: e.stdin, Terminal: e.stderr,
	})
	var ce *capturekit.CheckError
	if errors.As(err, &ce) && ce.Hint != "" {
		return withHint(err, ce.Hint)
	}
	if err != nil {
		return err
	}
	res.WriteSummary(e.stdout, *out)
	if len(res.Hooks) == 0 {
		fmt.Fprintln(e.stderr, "wxaudit: warning: the agent reported no hook: the key log is empty; see agent.js and hooks.json")
	}
	return nil
}
