// This file checks the phone and the host tools before a capture, each
// failure with a sentence saying what to do.

package capturekit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/internal/lazyre"
)

// WeChatPackage is the Android package of WeChat.
const WeChatPackage = "com.tencent.mm"

// FridaServerPath is where the checks look for frida-server's version.
const FridaServerPath = "/data/local/tmp/frida-server"

// ArchABI is the only Android ABI the agent's hooks fit: its offsets and
// argument layouts are for arm64 builds of WeChat.
const ArchABI = "arm64-v8a"

// MinFridaMajor is the oldest Frida the agent's API needs (Frida 17 removed
// the static Module functions older agents call).
const MinFridaMajor = 17

// Tools name the host commands; empty fields take their defaults.
type Tools struct {
	ADB    string // "adb"
	Python string // "python3", with frida-tools' frida module
	// Driver is the path of driver.py; "" runs the embedded copy with -c.
	Driver string
}

func (t Tools) adb() string    { return or(t.ADB, "adb") }
func (t Tools) python() string { return or(t.Python, "python3") }

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Device is what the checks learned about the phone.
type Device struct {
	Serial       string
	Root         bool // adbd runs as root (else commands go through su)
	ABI          string
	Manufacturer string
	Model        string
	Android      string
	WeChat       string // versionName
	FridaServer  string // version, "" when unknown
	FridaHost    string // version of the host's frida module
}

// CheckError is a failed check: what is missing and what to do.
type CheckError struct {
	Check string
	Err   error
	Hint  string
}

func (e *CheckError) Error() string { return "capture: " + e.Check + ": " + e.Err.Error() }
func (e *CheckError) Unwrap() error { return e.Err }

func fail(check, hint, format string, args ...any) error {
	return &CheckError{Check: check, Err: fmt.Errorf(format, args...), Hint: hint}
}

// shell quotes a command for `adb shell`/`adb exec-out`, through su when
// adbd is not root.
func (d *Device) shell(cmd string) string {
	if d.Root {
		return cmd
	}
	return "su -c '" + cmd + "'"
}

func (d *Device) adbArgs(args ...string) []string {
	if d.Serial == "" {
		return args
	}
	return append([]string{"-s", d.Serial}, args...)
}

// run runs a host command and returns its stdout.
func run(ctx context.Context, name string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = strings.TrimSpace(out.String())
		}
		if msg != "" {
			err = fmt.Errorf("%w: %s", err, firstLine(msg))
		}
	}
	return out.String(), err
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

var versionName = lazyre.New(`versionName=(\S+)`)

// Check runs every check in order and returns the device, or the first
// failure. serial picks a device when several are attached.
func Check(ctx context.Context, t Tools, serial string) (*Device, error) {
	if _, err := exec.LookPath(t.adb()); err != nil {
		return nil, fail("adb", "install Android platform-tools (Debian: apt-get install adb) and put adb on PATH", "adb not found")
	}
	out, err := run(ctx, t.adb(), "devices")
	if err != nil {
		return nil, fail("adb", "is the adb server able to start? try 'adb kill-server; adb devices'", "adb devices: %v", err)
	}
	d := &Device{Serial: serial}
	var ready []string
	for _, line := range strings.Split(out, "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch {
		case f[1] == "device":
			ready = append(ready, f[0])
		case f[1] == "unauthorized" && (serial == "" || f[0] == serial):
			return nil, fail("device", "unlock the phone and accept the USB debugging prompt", "device %s is unauthorized", f[0])
		}
	}
	switch {
	case serial != "" && !contains(ready, serial):
		return nil, fail("device", "check 'adb devices' for the serial", "device %s is not attached", serial)
	case serial == "" && len(ready) == 0:
		return nil, fail("device", "connect the phone by USB with USB debugging on (Settings > Developer options)", "no device attached")
	case serial == "" && len(ready) > 1:
		return nil, fail("device", "pick one with --serial", "%d devices attached: %s", len(ready), strings.Join(ready, ", "))
	case serial == "":
		d.Serial = ready[0]
	}
	adb := func(args ...string) (string, error) { return run(ctx, t.adb(), d.adbArgs(args...)...) }
	if out, err := adb("shell", "id"); err == nil && strings.Contains(out, "uid=0(") {
		d.Root = true
	} else if out, err := adb("shell", "su -c id"); err != nil || !strings.Contains(out, "uid=0(") {
		return nil, fail("root", "the capture needs root (tcpdump, frida-server): a rooted phone or an emulator image without Google Play", "neither adbd nor su gives uid 0")
	}
	out, err = adb("shell", "getprop ro.product.cpu.abi; getprop ro.product.manufacturer; getprop ro.product.model; getprop ro.build.version.release")
	if err != nil {
		return nil, fail("device", "", "getprop: %v", err)
	}
	props := strings.Split(strings.ReplaceAll(out, "\r", ""), "\n")
	for len(props) < 4 {
		props = append(props, "")
	}
	d.ABI, d.Manufacturer, d.Model, d.Android = props[0], props[1], props[2], props[3]
	if d.ABI == "" {
		return nil, fail("device", "", "the device reports no CPU ABI")
	}
	if d.ABI != ArchABI {
		return nil, fail("architecture", "use an arm64 phone, or an arm64-v8a emulator image (on an arm64 host such as Apple silicon); an x86_64 image runs WeChat's ARM libraries through a translator Frida cannot hook", "the device's CPU ABI is %s; the agent's offsets and argument layouts are for %s builds of WeChat", d.ABI, ArchABI)
	}
	out, err = adb("shell", "dumpsys package "+WeChatPackage)
	m := versionName.FindStringSubmatch(out)
	if err != nil || m == nil {
		return nil, fail("wechat", "install WeChat (com.tencent.mm) on the phone and log in", "WeChat is not installed")
	}
	d.WeChat = m[1]
	if out, err := adb("shell", d.shell("pidof frida-server")); err != nil || strings.TrimSpace(out) == "" {
		return nil, fail("frida-server", fmt.Sprintf("download frida-server %d.x for android-%s from github.com/frida/frida/releases, push it to %s and run it as root", MinFridaMajor, fridaArch(d.ABI), FridaServerPath), "frida-server is not running on the device")
	}
	if out, err := adb("shell", d.shell(FridaServerPath+" --version")); err == nil {
		d.FridaServer = strings.TrimSpace(out)
	}
	out, err = run(ctx, t.python(), checkArgs(t.Driver)...)
	var ev struct {
		Event, Frida, Error string
	}
	if jerr := json.Unmarshal([]byte(firstLine(out)), &ev); err != nil || jerr != nil || ev.Event != "check" {
		why := ev.Error
		if why == "" && err != nil {
			why = err.Error()
		}
		return nil, fail("frida", "install Frida's tools on this computer: pip install frida-tools (version "+strconv.Itoa(MinFridaMajor)+" or later)", "the frida Python module is not usable: %s", why)
	}
	d.FridaHost = ev.Frida
	if major(d.FridaHost) < MinFridaMajor {
		return nil, fail("frida", "pip install -U frida-tools", "frida %s on this computer; the agent needs %d or later", d.FridaHost, MinFridaMajor)
	}
	if d.FridaServer != "" && major(d.FridaServer) != major(d.FridaHost) {
		return nil, fail("frida-server", "use the same major version of frida-server as of frida-tools", "frida-server %s on the device, frida %s on this computer", d.FridaServer, d.FridaHost)
	}
	if out, err := adb("shell", d.shell("command -v tcpdump")); err != nil || strings.TrimSpace(out) == "" {
		return nil, fail("tcpdump", "push a static tcpdump for "+d.ABI+" to /system/bin or /data/local/tmp (and on PATH of su)", "tcpdump is not on the device")
	}
	return d, nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func major(v string) int {
	n, _ := strconv.Atoi(strings.SplitN(strings.TrimSpace(v), ".", 2)[0])
	return n
}

// fridaArch maps an Android ABI to Frida's release naming.
func fridaArch(abi string) string {
	switch abi {
	case "arm64-v8a":
		return "arm64"
	case "armeabi-v7a":
		return "arm"
	case "x86_64":
		return "x86_64"
	case "x86":
		return "x86"
	}
	return abi
}
