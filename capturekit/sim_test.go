package capturekit

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/synth"
)

// simPaths are the hook paths agent/test/device.test.js leaves key logs for.
var simPaths = []string{"offset", "export", "registernatives"}

// TestSimulatedDevice runs the agent's simulated device (the shipped
// agent.js in a fake Frida runtime, fed synth's key material) and decrypts
// synth's capture with each hook path's key log: every record and every
// payload must open. Node is required when WXAUDIT_REQUIRE_NODE is set
// (.ci/run sets it).
func TestSimulatedDevice(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("WXAUDIT_REQUIRE_NODE") != "" {
			t.Fatal("node not found and WXAUDIT_REQUIRE_NODE is set")
		}
		t.Skip("node not found")
	}
	// The device plays synth's own output: the committed copy is current.
	fixture := filepath.Join("..", "agent", "test", "testdata", "synth")
	syn, err := synth.Generate(synth.Options{Scenario: "location-denied", Seed: 3, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for name, fresh := range map[string]string{"capture.pcapng": syn.Capture, "frida.keylog": syn.Frida, "manifest.jsonl": syn.Manifest} {
		a, _ := os.ReadFile(fresh)
		b, err := os.ReadFile(filepath.Join(fixture, name))
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("%s differs from `wxaudit synth --scenario location-denied --seed 3` (err %v): regenerate agent/test/testdata/synth", name, err)
		}
	}

	out := t.TempDir()
	cmd := exec.Command(node, "--test", "test/device.test.js")
	cmd.Dir = filepath.Join("..", "agent")
	cmd.Env = append(os.Environ(), "SIM_OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node --test test/device.test.js: %v\n%s", err, b)
	}
	for _, p := range simPaths {
		t.Run(p, func(t *testing.T) {
			st := decryptSim(t, filepath.Join(out, p))
			if st.RecordsEncrypted == 0 || st.RecordsDecrypted != st.RecordsEncrypted || len(st.RecordsNotDecrypted) != 0 {
				t.Errorf("records: %d encrypted, %d decrypted, not decrypted %v", st.RecordsEncrypted, st.RecordsDecrypted, st.RecordsNotDecrypted)
			}
			if st.Payloads != syn.Payloads || len(st.PayloadsNotDecrypted) != 0 {
				t.Errorf("payloads: %d, want %d; not decrypted %v", st.Payloads, syn.Payloads, st.PayloadsNotDecrypted)
			}
		})
	}
	// What the researcher sees when a hook fails: the agent's messages,
	// read as the driver's lines, printed on the capture's terminal.
	for _, tc := range []struct{ dir, want string }{
		{"fail-arch", "wxaudit: warning: agent in com.tencent.mm: this process is x64, not arm64: the offsets and argument layouts are for arm64 WeChat builds, so only JNI hooks are installed and MMTLS records will not open; use an arm64 phone or an arm64 emulator image (an x86_64 image translating ARM code cannot be hooked)\n"},
		{"fail-version", "wxaudit: warning: agent in com.tencent.mm: mmtls-record-crypt not hooked in libwechatnetwork.so: no offset profile for WeChat 8.0.56 (profiles exist for 8.0.49, 8.0.23)\n"},
		{"fail-symbol", "wxaudit: warning: agent in com.tencent.mm: mmcrypto::AesGcmEncrypt not hooked in libwechatnetwork.so: no symbol with 8mmcrypto, 13AesGcmEncrypt in libwechatnetwork.so\n"},
		{"fail-symbol", "wxaudit: warning: agent in com.tencent.mm: mmtls-record-crypt not hooked in libwechatnetwork.so: the 8.0.49 offset 0x12ae10 lies outside libwechatnetwork.so (0x20000 bytes): the profile does not fit this build\n"},
	} {
		f, err := os.Open(filepath.Join(out, tc.dir, "driver.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		var term bytes.Buffer
		m := &messages{term: &term, hooks: map[string]*HookReport{}}
		m.read(f, func() {})
		f.Close()
		if !strings.Contains(term.String(), tc.want) {
			t.Errorf("%s: the terminal lacks %q:\n%s", tc.dir, tc.want, term.String())
		}
		if m.bad != 0 {
			t.Errorf("%s: %d driver lines not understood", tc.dir, m.bad)
		}
	}
}

// decryptSim decrypts dir/capture.pcapng with dir/keys.log as `wxaudit
// decrypt --keylog keys.log capture.pcapng` does.
func decryptSim(t *testing.T, dir string) *decrypt.Stats {
	t.Helper()
	kf, err := os.Open(filepath.Join(dir, "keys.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer kf.Close()
	keys, err := keylog.Parse(kf)
	if err != nil {
		t.Fatal(err)
	}
	if keys.Stats().Malformed != 0 {
		t.Errorf("key log: %+v", keys.Stats())
	}
	cf, err := os.Open(filepath.Join(dir, "capture.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	st, err := decrypt.Run(context.Background(), cf, decrypt.Options{Keys: keys}, func(*payload.Payload) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return st
}
