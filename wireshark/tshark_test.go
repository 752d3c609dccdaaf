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
	script := filepath.Join(t.TempDir(), LuaFileName)
	if err := os.WriteFile(script, Lua(), 0o644); err != nil {
		t.Fatal(err)
	}
	return runTshark(t, file, append([]string{"-X", "lua_script:" + script}, args...)...)
}

func runTshark(t *testing.T, file string, args ...string) string {
	t.Helper()
	bin := tsharkPath(t)
	// Out-of-order segments are reassembled only when asked (off by
	// default in Wireshark 4.0); wxaudit always reassembles them.
	all := append([]string{"-n", "-o", "tcp.reassemble_out_of_order:TRUE", "-r", file}, args...)
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

// problemFields mark a frame with a Lua error, a malformed-packet mark or
// an error from the dissectors; tsharkFields fails the test on any.
var problemFields = []string{"_ws.lua", "_ws.malformed", "mmtls.malformed", "mmtls.truncated", "wechat.malformed"}

// tsharkFields runs tshark with the dissector and returns, per frame, the
// values of fields (occurrences joined by ","), after checking that no
// frame has a problem field.
func tsharkFields(t *testing.T, file string, fields ...string) [][]string {
	t.Helper()
	args := []string{"-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-e", "frame.number"}
	for _, f := range append(slices.Clone(problemFields), fields...) {
		args = append(args, "-e", f)
	}
	out := tshark(t, file, args...)
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 1+len(problemFields)+len(fields) {
			t.Fatalf("tshark line %q: %d fields", line, len(f))
		}
		for i, v := range f[1 : 1+len(problemFields)] {
			if v != "" {
				t.Errorf("frame %s: %s", f[0], problemFields[i])
			}
		}
		rows = append(rows, append(f[:1:1], f[1+len(problemFields):]...))
	}
	return rows
}

// tsharkRecords lists every MMTLS record tshark finds as
// "src > dst type length", sorted.
func tsharkRecords(t *testing.T, file string) []string {
	t.Helper()
	rows := tsharkFields(t, file, "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport",
		"mmtls.record.type", "mmtls.record.length")
	var recs []string
	for _, f := range rows {
		if f[7] == "" {
			continue
		}
		src := endpoint(f[1]+f[2], f[3])
		dst := endpoint(f[4]+f[5], f[6])
		types, lens := strings.Split(f[7], ","), strings.Split(f[8], ",")
		if len(types) != len(lens) {
			t.Fatalf("frame %s: %d types, %d lengths", f[0], len(types), len(lens))
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

// TestTsharkLoss: lost segments leave gaps Wireshark cannot fill; the
// dissector then shows what it cannot frame and raises no Lua error.
func TestTsharkLoss(t *testing.T) {
	tsharkPath(t)
	file, _ := synthCapture(t, synth.Options{Seed: 5, Format: capture.FormatPcap, Loss: 0.05, Reorder: 0.1})
	if recs := tsharkRecords(t, file); len(recs) == 0 {
		t.Error("no records found")
	}
}

// TestTsharkOthersUnchanged: with the dissector loaded, the frames that
// carry no MMTLS (plain HTTP on 8080, DNS, bare TCP segments) read as they
// do without it, although mmtls takes ports 80, 443 and 8080.
func TestTsharkOthersUnchanged(t *testing.T) {
	file := fixtures.Path(t, "capture-logged-in-all-keys.pcapng")
	tsharkPath(t)
	with := tsharkFields(t, file, "_ws.col.Protocol", "_ws.col.Info", "mmtls")
	out := runTshark(t, file, "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info")
	without := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(with) != len(without) {
		t.Fatalf("%d frames with the dissector, %d without", len(with), len(without))
	}
	others := 0
	for i, f := range with {
		if f[3] != "" {
			continue
		}
		others++
		if got := strings.Join(f[:3], "\t"); got != without[i] {
			t.Errorf("frame %s changed:\n with    %q\n without %q", f[0], got, without[i])
		}
	}
	if others == 0 || others == len(with) {
		t.Errorf("%d of %d frames without MMTLS", others, len(with))
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
