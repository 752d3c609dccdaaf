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
	FileDriver  = "driver.py" // the Frida driver, run by python3
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

// Plan lists the commands of a capture into dir on d, checks first, as
// they run: with d.Serial empty adb and the driver pick the only device.
// They read dir/driver.py and dir/agent.js, which WriteKit writes.
func Plan(t Tools, d *Device, dir string) []Command {
	adb := func(what string, args ...string) Command {
		return Command{What: what, Argv: append([]string{t.adb()}, d.adbArgs(args...)...)}
	}
	join := func(a, b string) string { return strings.TrimSuffix(a, "/") + "/" + b }
	tcp := adb("record the traffic (runs until Ctrl-C)", "exec-out", d.shell(tcpdumpCommand))
	tcp.Stdout = join(dir, FileCapture)
	driver := join(dir, FileDriver)
	return []Command{
		{What: "list devices", Argv: []string{t.adb(), "devices"}},
		adb("root: adbd as root?", "shell", "id"),
		adb("root: through su", "shell", "su -c id"),
		adb("architecture (the hooks need arm64-v8a), model, Android version", "shell", "getprop ro.product.cpu.abi; getprop ro.product.manufacturer; getprop ro.product.model; getprop ro.build.version.release"),
		adb("WeChat version", "shell", "dumpsys package "+WeChatPackage),
		adb("frida-server running", "shell", d.shell("pidof frida-server")),
		adb("frida-server version", "shell", d.shell(FridaServerPath+" --version")),
		{What: "frida on this computer", Argv: append([]string{t.python()}, checkArgs(driver)...)},
		adb("tcpdump on the device", "shell", d.shell("command -v tcpdump")),
		tcp,
		{What: "spawn WeChat with the agent in every app process (frida spawn gating); its JSON lines carry the keys (a capture writes them to " + join(dir, FileKeys) + "); runs until stdin closes (Ctrl-D)",
			Argv: append([]string{t.python()}, driverArgs(driver, d.Serial, join(dir, FileAgent))...)},
	}
}

// checkArgs are python3's arguments for the driver's frida check; with
// driver "" the embedded driver runs with -c.
func checkArgs(driver string) []string {
	return append(driverSource(driver), "--check", "1")
}

// driverArgs are python3's arguments for a capture's driver.
func driverArgs(driver, serial, agent string) []string {
	a := driverSource(driver)
	if serial != "" {
		a = append(a, "--serial", serial)
	}
	return append(a, "--package", WeChatPackage, "--agent", agent)
}

func driverSource(driver string) []string {
	if driver == "" {
		return []string{"-c", driverPy}
	}
	return []string{driver}
}
