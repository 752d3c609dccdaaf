package wireshark

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/internal/testkit"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/synth"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// requireTsharkEnv makes a missing tshark a failure instead of a skip (CI
// sets it; fixtures.RequireEnv does too).
const requireTsharkEnv = "WXAUDIT_REQUIRE_TSHARK"

// tsharkPath returns tshark's path, skipping the test when it is absent
// unless CI requires it.
func tsharkPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("tshark")
	if err == nil {
		return p
	}
	if os.Getenv(requireTsharkEnv) == "1" || os.Getenv(fixtures.RequireEnv) == "1" {
		t.Fatalf("tshark required (%s=1 or %s=1) but not found: %v", requireTsharkEnv, fixtures.RequireEnv, err)
	}
	t.Skipf("tshark not installed; skipping the Wireshark checks (apt-get install tshark; set %s=1 to require it)", requireTsharkEnv)
	return ""
}

// tshark runs tshark with the embedded dissector on file and returns its
// stdout. Any stderr line other than the warning about running as root
// fails the test: Lua errors and file complaints are printed there.
func tshark(t *testing.T, file string, args ...string) string {
	t.Helper()
	bin := tsharkPath(t)
	script := filepath.Join(t.TempDir(), LuaFileName)
	if err := os.WriteFile(script, Lua(), 0o644); err != nil {
		t.Fatal(err)
	}
	// Out-of-order segments are reassembled only when asked (off by
	// default in Wireshark 4.0); wxaudit always reassembles them.
	all := append([]string{"-n", "-o", "tcp.reassemble_out_of_order:TRUE", "-X", "lua_script:" + script, "-r", file}, args...)
	cmd := exec.Command(bin, all...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if line != "" && !strings.Contains(line, "could be dangerous") {
			t.Errorf("tshark stderr: %s", line)
		}
	}
	return string(out)
}

// checkClean fails if any frame has a Lua error, a malformed-packet mark or
// an MMTLS/wechat expert error.
func checkClean(t *testing.T, file string) {
	t.Helper()
	out := tshark(t, file, "-Y", "_ws.lua || _ws.malformed || mmtls.malformed || mmtls.truncated")
	if strings.TrimSpace(out) != "" {
		t.Errorf("frames with Lua errors, malformed marks or MMTLS experts:\n%s", out)
	}
}

// tsharkRecords lists every MMTLS record tshark finds as
// "src > dst type length", sorted.
func tsharkRecords(t *testing.T, file string) []string {
	t.Helper()
	out := tshark(t, file, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
		"-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
		"-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport",
		"-e", "mmtls.record.type", "-e", "mmtls.record.length",
		"-Y", "mmtls.record")
	var recs []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 8 {
			t.Fatalf("tshark line %q: %d fields", line, len(f))
		}
		src := endpoint(f[0]+f[1], f[2])
		dst := endpoint(f[3]+f[4], f[5])
		types, lens := strings.Split(f[6], ","), strings.Split(f[7], ",")
		if len(types) != len(lens) {
			t.Fatalf("tshark line %q: %d types, %d lengths", line, len(types), len(lens))
		}
		for i := range types {
			recs = append(recs, fmt.Sprintf("%s > %s %s %s", src, dst, types[i], lens[i]))
		}
	}
	sort.Strings(recs)
	return recs
}

func endpoint(addr, port string) string {
	if strings.Contains(addr, ":") {
		return "[" + addr + "]:" + port
	}
	return addr + ":" + port
}

// dumpRecords lists the records `wxaudit dump` reports, in the same form.
func dumpRecords(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []string
	onRecord := func(ev decrypt.RecordEvent) {
		src, dst := ev.Conn.Client, ev.Conn.Server
		if ev.Direction == payload.DirResponse {
			src, dst = dst, src
		}
		typ, _, _ := strings.Cut(ev.Type, " ")
		recs = append(recs, fmt.Sprintf("%s > %s %s %d", src, dst, typ, ev.Length))
	}
	if _, err := decrypt.Run(context.Background(), f, decrypt.Options{OnRecord: onRecord},
		func(*payload.Payload) error { return nil }); err != nil {
		t.Fatal(err)
	}
	sort.Strings(recs)
	return recs
}

func countByType(recs []string) map[string]int {
	m := map[string]int{}
	for _, r := range recs {
		f := strings.Fields(r)
		m[f[len(f)-2]]++
	}
	return m
}

func compareRecords(t *testing.T, file string) []string {
	t.Helper()
	got, want := tsharkRecords(t, file), dumpRecords(t, file)
	if !slices.Equal(got, want) {
		t.Errorf("tshark found %d records %v, wxaudit dump %d %v", len(got), countByType(got), len(want), countByType(want))
		for _, r := range want {
			if !slices.Contains(got, r) {
				t.Errorf("missing in tshark: %s", r)
			}
		}
		for _, r := range got {
			if !slices.Contains(want, r) {
				t.Errorf("extra in tshark: %s", r)
			}
		}
	}
	checkClean(t, file)
	return got
}

// TestTsharkRealCapture: the dissector finds the same 204 records as
// wxaudit dump in Citizen Lab's capture, with the same endpoints, types and
// lengths (7 of them span several TCP segments), and nothing else.
func TestTsharkRealCapture(t *testing.T) {
	file := fixtures.Path(t, "capture-logged-in-all-keys.pcapng")
	tsharkPath(t)
	got := compareRecords(t, file)
	want := map[string]int{"0x16": 61, "0x19": 46, "0x17": 50, "0x15": 47}
	if c := countByType(got); len(got) != 204 || !maps(c, want) {
		t.Errorf("tshark records by type %v (%d), want %v (204)", c, len(got), want)
	}
}

func maps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// synthCapture writes a synthetic capture and returns its path and key log.
func synthCapture(t *testing.T, opts synth.Options) (capturePath, secretsPath string) {
	t.Helper()
	dir := t.TempDir()
	var c, s, fr, m bytes.Buffer
	if _, err := synth.GenerateTo(synth.Writers{Capture: &c, Secrets: &s, Frida: &fr, Manifest: &m}, opts); err != nil {
		t.Fatal(err)
	}
	capturePath, secretsPath = filepath.Join(dir, "capture"), filepath.Join(dir, "secrets.keylog")
	if err := os.WriteFile(capturePath, c.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secretsPath, s.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return capturePath, secretsPath
}

// TestTsharkSynth: the same agreement on synthetic traffic, clean and with
// reordered and retransmitted segments (TCP reassembly in both tools).
func TestTsharkSynth(t *testing.T) {
	tsharkPath(t)
	for _, opts := range []synth.Options{
		{Seed: 3},
		{Seed: 4, Format: capture.FormatPcap, Reorder: 0.2, Retransmit: 0.2},
	} {
		t.Run(fmt.Sprintf("seed%d", opts.Seed), func(t *testing.T) {
			file, _ := synthCapture(t, opts)
			if got := compareRecords(t, file); len(got) == 0 {
				t.Error("no records found")
			}
		})
	}
}

// TestTsharkGolden pins the dissector's field output on a synthetic
// capture: record headers, handshake messages and hello fields.
func TestTsharkGolden(t *testing.T) {
	tsharkPath(t)
	file, _ := synthCapture(t, synth.Options{Seed: 7, Scenario: "miniprogram-location"})
	out := tshark(t, file, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-Y", "mmtls",
		"-e", "frame.number", "-e", "mmtls.record.type", "-e", "mmtls.record.length",
		"-e", "mmtls.handshake.type", "-e", "mmtls.handshake.cipher_suite",
		"-e", "mmtls.handshake.key_share.id", "-e", "mmtls.handshake.psk.type",
		"-e", "mmtls.handshake.psk.lifetime", "-e", "mmtls.alert.description")
	got := "# tshark -X lua_script:mmtls.lua on synth seed 7 miniprogram-location: frame, record type, length, handshake type, suites, key share ids, psk type, psk lifetime, alert\n" + out
	testkit.Golden(t, filepath.Join("testdata", "synth-records.golden"), got, *update)
}
