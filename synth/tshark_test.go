package synth

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/internal/testkit"
	"github.com/wxaudit/wxaudit/payload"
)

// TestTshark has Wireshark's dissectors read synthetic captures (clean
// pcapng, impaired classic pcap): no read error, no malformed packet, no
// expert warning or error, and one HTTP POST per Shortlink connection.
// It skips when tshark is not installed, and fails then when
// WXAUDIT_REQUIRE_TSHARK=1 (CI).
func TestTshark(t *testing.T) {
	tshark := testkit.Tool(t, "tshark", testkit.RequireTsharkEnv)
	for _, opts := range []Options{
		{Seed: 21},
		{Seed: 22, Format: capture.FormatPcap, Loss: 0.1, Reorder: 0.1, Retransmit: 0.1},
	} {
		c, _, _, m, res := generate(t, opts)
		path := filepath.Join(t.TempDir(), "capture")
		if err := os.WriteFile(path, c, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(tshark, "-n", "-r", path, "-q", "-z", "expert,warn",
			"-z", `io,stat,0,_ws.malformed,http.request.method=="POST"`)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%+v: tshark: %v\n%s", opts, err, stderr.Bytes())
		}
		for _, line := range strings.Split(stderr.String(), "\n") {
			// tshark warns about running as root; anything else is a
			// complaint about the file.
			if line != "" && !strings.Contains(line, "could be dangerous") {
				t.Errorf("%+v: tshark stderr: %s", opts, line)
			}
		}
		if bytes.Contains(out, []byte("Warnings (")) || bytes.Contains(out, []byte("Errors (")) {
			t.Errorf("%+v: tshark expert warnings:\n%s", opts, out)
		}
		row := regexp.MustCompile(`<>[^|]*\|\s*(\d+)\s*\|\s*\d+\s*\|\s*(\d+)\s*\|`).FindSubmatch(out)
		if row == nil {
			t.Fatalf("%+v: no io,stat row in tshark output:\n%s", opts, out)
		}
		malformed, _ := strconv.Atoi(string(row[1]))
		posts, _ := strconv.Atoi(string(row[2]))
		es, err := ReadManifest(bytes.NewReader(m))
		if err != nil {
			t.Fatal(err)
		}
		conns := map[string]bool{}
		for _, e := range es {
			if e.Link == payload.LinkShortlink {
				conns[e.Conn.Client] = true
			}
		}
		// Plus the ticket-only 1-RTT Shortlink of each round.
		if want := len(conns) + res.Rounds; malformed != 0 || posts != want {
			t.Errorf("%+v: %d malformed frames, %d HTTP POSTs (want 0 and %d)", opts, malformed, posts, want)
		}
	}
}
