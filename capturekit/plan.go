package capturekit

import (
	"strings"
)

// File names inside a run folder written by a capture.
const (
	FileCapture = "capture.pcap" // tcpdump writes pcap (SLL2 link type with -i any on recent libpcap)
	FileKeys    = "keys.log"
	FileAgent   = "agent.js"
	FileHooks   = "hooks.json"
)

// tcpdumpCommand records every interface, unbuffered, to stdout; adb's own
// traffic over Wi-Fi (port 5555) is left out.
const tcpdumpCommand = "tcpdump -i any -U -w - not port 5555"

// Command is one step of a capture, as it would be run.
type Command struct {
	What string
	Argv []string
	// Stdout names where the output goes, when it is kept.
	Stdout string
}

// String renders the command for a shell, quoting what needs it.
func (c Command) String() string {
	var b strings.Builder
	for i, a := range c.Argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(shellQuote(a))
	}
	if c.Stdout != "" {
		b.WriteString(" > " + shellQuote(c.Stdout))
	}
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Plan lists the commands of a capture into dir on d, checks first. With
// d.Serial empty it shows "<serial>"; the driver script is shown by name.
func Plan(t Tools, d *Device, dir string) []Command {
	if d.Serial == "" {
		dd := *d
		dd.Serial = "<serial>"
		d = &dd
	}
	adb := func(what string, args ...string) Command {
		return Command{What: what, Argv: append([]string{t.adb()}, d.adbArgs(args...)...)}
	}
	join := func(a, b string) string { return strings.TrimSuffix(a, "/") + "/" + b }
	tcp := adb("record the traffic", "exec-out", d.shell(tcpdumpCommand))
	tcp.Stdout = join(dir, FileCapture)
	return []Command{
		{What: "list devices", Argv: []string{t.adb(), "devices"}},
		adb("root: adbd as root?", "shell", "id"),
		adb("root: through su", "shell", "su -c id"),
		adb("architecture, model, Android version", "shell", "getprop ro.product.cpu.abi; getprop ro.product.manufacturer; getprop ro.product.model; getprop ro.build.version.release"),
		adb("WeChat version", "shell", "dumpsys package "+WeChatPackage),
		adb("frida-server running", "shell", d.shell("pidof frida-server")),
		adb("frida-server version", "shell", d.shell(FridaServerPath+" --version")),
		{What: "frida on this computer", Argv: []string{t.python(), "-c", "<driver.py>", "--check", "1"}},
		adb("tcpdump on the device", "shell", d.shell("command -v tcpdump")),
		tcp,
		{What: "spawn WeChat with the agent in every app process (frida spawn gating); keys go to " + join(dir, FileKeys),
			Argv: []string{t.python(), "-c", "<driver.py>", "--serial", d.Serial, "--package", WeChatPackage, "--agent", join(dir, FileAgent)}},
	}
}
