package capturekit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/runfolder"
	"github.com/wxaudit/wxaudit/synth"
)

// fakeADB answers the checks like a rooted Pixel with WeChat 8.0.56 and
// frida-server 17, and streams $FAKE_CAPTURE slowly for exec-out tcpdump.
const fakeADB = `#!/bin/sh
if [ "$1" = "-s" ]; then shift 2; fi
case "$1" in
devices) printf 'List of devices attached\n%s\n' "${FAKE_DEVICES-FAKE1	device}" ;;
shell)
  case "$2" in
  id) echo "uid=0(root) gid=0(root)" ;;
  getprop*) printf '%s\nGoogle\nPixel 7\n14\n' "${FAKE_ABI-arm64-v8a}" ;;
  "dumpsys package com.tencent.mm") [ -z "$FAKE_NO_WECHAT" ] && echo "    versionName=8.0.56" ;;
  "pidof frida-server") [ -z "$FAKE_NO_FRIDA" ] && echo 1234 ;;
  "/data/local/tmp/frida-server --version") echo 17.2.1 ;;
  "command -v tcpdump") echo /system/bin/tcpdump ;;
  esac ;;
exec-out)
  size=$(wc -c < "$FAKE_CAPTURE"); i=0
  while [ $((i * 2048)) -lt "$size" ]; do
    dd if="$FAKE_CAPTURE" bs=2048 skip=$i count=1 2>/dev/null; sleep 0.05; i=$((i + 1))
  done ;;
esac
`

// fakePython plays the Frida driver, which must be run as a file named
// driver.py (the run folder's): it reports a hook and sends the lines of
// $FAKE_KEYS as the agent would, late, then waits for stdin.
const fakePython = `#!/bin/sh
case "$1" in */driver.py) [ -f "$1" ] || { echo "{\"event\":\"fatal\",\"error\":\"no $1\"}"; exit 1; } ;; *) echo '{"event":"fatal","error":"not run from the run folder'"'"'s driver.py"}'; exit 1 ;; esac
for a in "$@"; do [ "$a" = "--check" ] && { echo '{"event":"check","frida":"17.2.1"}'; exit 0; }; done
[ -n "$FAKE_FATAL" ] && { echo '{"event":"fatal","error":"spawning com.tencent.mm: unable to connect to remote frida-server"}'; exit 1; }
echo '{"event":"instrumented","pid":100,"process":"com.tencent.mm"}'
echo '{"event":"message","pid":100,"process":"com.tencent.mm","message":{"type":"send","payload":{"type":"hook","id":"fake-hook","method":"export","module":"libwechatnetwork.so","offset":"0x10"}}}'
echo '{"event":"message","pid":101,"process":"com.tencent.mm:appbrand0","message":{"type":"send","payload":{"type":"hook","id":"idle-hook","method":"symbol","module":"libwechatnetwork.so","offset":"0x20"}}}'
echo 'not json'
sleep 0.3
while IFS= read -r line; do
  echo "{\"event\":\"message\",\"pid\":100,\"process\":\"com.tencent.mm\",\"message\":{\"type\":\"send\",\"payload\":{\"type\":\"key\",\"line\":\"$line\"}}}"
  sleep 0.02
done < "$FAKE_KEYS"
echo '{"event":"message","pid":100,"process":"com.tencent.mm","message":{"type":"send","payload":{"type":"key","line":"MMTLS_SECRET 00"}}}'
cat > /dev/null
`

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fakePhone writes the stand-in commands and a synthetic run to replay, and
// puts the commands first on PATH. It returns the synthetic folder.
func fakePhone(t *testing.T) (string, *synth.Result) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	for name, body := range map[string]string{"adb": fakeADB, "python3": fakePython} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	res, err := synth.Generate(synth.Options{Scenario: "location-denied", Seed: 3, OutDir: filepath.Join(dir, "syn")})
	if err != nil {
		t.Fatal(err)
	}
	// The agent's lines: the synthetic secrets with v2 attributes.
	in, err := os.Open(res.Secrets)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var keys strings.Builder
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if l := sc.Text(); l != "" && l[0] != '#' {
			keys.WriteString(l + " process=com.tencent.mm pid=100 hook=fake-hook%40export\n")
		}
	}
	keyPath := filepath.Join(dir, "agent-keys.txt")
	os.WriteFile(keyPath, []byte(keys.String()), 0o644)
	t.Setenv("FAKE_CAPTURE", res.Capture)
	t.Setenv("FAKE_KEYS", keyPath)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return dir, res
}

func TestCaptureAgainstFakePhone(t *testing.T) {
	dir, syn := fakePhone(t)
	out := filepath.Join(dir, "run")
	var term syncBuffer
	res, err := Capture(context.Background(), Options{
		Out: out, Label: "mp-location-on", Permissions: map[string]string{"location": "on"},
		Steps: strings.NewReader("open the Mini Program\n\n"), Terminal: &term, Grace: 1500 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, term.String())
	}
	got, _ := os.ReadFile(filepath.Join(out, FileCapture))
	want, _ := os.ReadFile(syn.Capture)
	if !bytes.Equal(got, want) {
		t.Errorf("capture file: %d bytes, want the %d streamed", len(got), len(want))
	}
	f, err := os.Open(filepath.Join(out, runfolder.FileName))
	if err != nil {
		t.Fatal(err)
	}
	run, err := runfolder.Parse(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if run.Label != "mp-location-on" || run.Permission("location") != "on" || run.App.Version != "8.0.56" ||
		run.Device.Model != "Google Pixel 7" || run.Device.ABI != "arm64-v8a" || run.Capture != FileCapture ||
		len(run.Keylogs) != 1 || len(run.Steps) != 1 || run.Steps[0].Name != "open the Mini Program" {
		t.Errorf("run.yaml = %+v", run)
	}
	if res.Stats.Payloads != syn.Payloads {
		t.Errorf("decoded %d payloads live, the manifest has %d; stats %+v", res.Stats.Payloads, syn.Payloads, res.Stats.Live)
	}
	keys, _ := os.ReadFile(filepath.Join(out, FileKeys))
	if !strings.HasPrefix(string(keys), "# wxaudit-secrets v2\n") || strings.Contains(string(keys), "MMTLS_SECRET 00\n") {
		t.Errorf("key log:\n%s", keys)
	}
	hooks := map[string]HookReport{}
	for _, h := range res.Hooks {
		hooks[h.Hook] = h
	}
	if h := hooks["fake-hook@export"]; !h.Trusted || h.RecordsOpened == 0 || h.KeyLines == 0 {
		t.Errorf("fake-hook = %+v", h)
	}
	if h, ok := hooks["idle-hook@symbol"]; !ok || h.Trusted || h.Processes[0] != "com.tencent.mm:appbrand0" {
		t.Errorf("idle-hook = %+v", h)
	}
	if !strings.Contains(term.String(), "shortlink") {
		t.Errorf("no live view on the terminal:\n%s", term.String())
	}
	for _, f := range []string{FileHooks, FileDriver, FileAgent} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	// The run folder and its recording are the owner's only
	// (doc/privacy.md): the traffic, and the keys that open it.
	for _, p := range []string{out, filepath.Join(out, FileCapture), filepath.Join(out, FileKeys)} {
		fi, err := os.Stat(p)
		want := os.FileMode(0o600)
		if fi != nil && fi.IsDir() {
			want = 0o700
		}
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, fi.Mode().Perm(), err, want)
		}
	}
	// A second capture into the same folder is refused.
	if _, err := Capture(context.Background(), Options{Out: out, Steps: strings.NewReader(""), Terminal: &term}); err == nil {
		t.Error("capture into a used folder succeeded")
	}
}

// A driver that cannot spawn WeChat fails the capture, keeping what was
// recorded.
func TestCaptureDriverFatal(t *testing.T) {
	dir, _ := fakePhone(t)
	t.Setenv("FAKE_FATAL", "1")
	out := filepath.Join(dir, "run")
	var term syncBuffer
	_, err := Capture(context.Background(), Options{Out: out, Steps: strings.NewReader(""), Terminal: &term, Grace: time.Millisecond})
	var ce *CheckError
	if !errors.As(err, &ce) || ce.Check != "frida" || !strings.Contains(err.Error(), "unable to connect") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, runfolder.FileName)); err != nil {
		t.Error("run.yaml not kept:", err)
	}
}

func TestCheckFailures(t *testing.T) {
	fakePhone(t)
	for _, tc := range []struct {
		env, check, msg string
	}{
		{"FAKE_DEVICES=", "device", "no device attached"},
		{"FAKE_DEVICES=A	unauthorized", "device", "unauthorized"},
		{"FAKE_NO_WECHAT=1", "wechat", "not installed"},
		{"FAKE_ABI=x86_64", "architecture", "CPU ABI is x86_64; the agent's offsets and argument layouts are for arm64-v8a builds"},
		{"FAKE_NO_FRIDA=1", "frida-server", "not running"},
	} {
		k, v, _ := strings.Cut(tc.env, "=")
		t.Run(tc.check+" "+tc.msg, func(t *testing.T) {
			t.Setenv(k, v)
			_, err := Check(context.Background(), Tools{}, "")
			var ce *CheckError
			if !errors.As(err, &ce) || ce.Check != tc.check || !strings.Contains(err.Error(), tc.msg) || ce.Hint == "" {
				t.Errorf("err = %v", err)
			}
		})
	}
	t.Run("no adb", func(t *testing.T) {
		_, err := Check(context.Background(), Tools{ADB: "/nonexistent/adb"}, "")
		var ce *CheckError
		if !errors.As(err, &ce) || ce.Check != "adb" {
			t.Errorf("err = %v", err)
		}
	})
}

func TestPlanAndAgent(t *testing.T) {
	var all []string
	for _, c := range Plan(Tools{}, &Device{}, "runs/x") {
		all = append(all, c.String())
	}
	s := strings.Join(all, "\n")
	for _, want := range []string{"adb devices", `adb exec-out 'su -c '\''tcpdump -i any -U -w - not port 5555'\''' > runs/x/capture.pcap`, "python3 runs/x/driver.py --check 1", "python3 runs/x/driver.py --package com.tencent.mm --agent runs/x/agent.js", "frida-server --version"} {
		if !strings.Contains(s, want) {
			t.Errorf("plan lacks %q:\n%s", want, s)
		}
	}
	js := Agent(AgentConfig{AppVersion: "8.0.56"})
	if !strings.HasPrefix(js, `var WXAUDIT_CONFIG = {"appVersion":"8.0.56","console":false};`) {
		t.Errorf("agent starts %q", js[:80])
	}
	for _, sym := range HookSymbols {
		if !strings.Contains(js, sym) {
			t.Errorf("agent does not name %s", sym)
		}
	}
}
