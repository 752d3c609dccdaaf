package decrypt

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/internal/pcaprewrite"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/taxonomy"
)

const (
	realCapture = "capture-logged-in-all-keys.pcapng"
	realKeylog  = "frida-logged-in-all-keys.log"
)

func loadKeys(tb testing.TB, path string) *keylog.Log {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	l, err := keylog.Parse(f)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// decryptBytes runs the decrypter over an in-memory capture.
func decryptBytes(tb testing.TB, capture []byte, keys *keylog.Log) ([]*payload.Payload, *Stats) {
	tb.Helper()
	var out []*payload.Payload
	st, err := Run(context.Background(), bytes.NewReader(capture), Options{Keys: keys, CaptureName: "test"}, func(p *payload.Payload) error {
		out = append(out, p)
		return nil
	})
	if err != nil {
		tb.Fatalf("Run: %v", err)
	}
	return out, st
}

// payloadKeys describes payloads independent of the order connections
// finish in and of frame numbers, which a rewritten capture changes.
func payloadKeys(ps []*payload.Payload) []string {
	var keys []string
	for _, p := range ps {
		sum := sha256.Sum256(p.Payload)
		keys = append(keys, fmt.Sprintf("%s %s %s %s %d %s %s %x", p.Conn.Client, p.Direction, p.Link, p.URI, p.ReqType, p.Part, p.Inner, sum[:8]))
	}
	sort.Strings(keys)
	return keys
}

// TestRealCapture pins what the published capture and key log yield
// (doc/protocol.md §8). Citizen Lab's own script gets 29 payloads.
func TestRealCapture(t *testing.T) {
	dir := fixtures.Dir(t)
	capture, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		t.Fatal(err)
	}
	ps, st := decryptBytes(t, capture, loadKeys(t, dir+"/"+realKeylog))

	got := map[string]any{
		"connections":       st.Connections,
		"by link":           st.ConnectionsByLink,
		"records":           st.Records,
		"records by type":   st.RecordsByType,
		"plaintext":         st.RecordsPlaintext,
		"decrypted":         st.RecordsDecrypted,
		"app data":          st.AppData,
		"multi-segment":     st.RecordsMultiSegment,
		"not decrypted":     st.RecordsNotDecrypted,
		"payloads":          st.Payloads,
		"payloads by inner": st.PayloadsByInner,
		"compressed":        st.PayloadsCompressed,
		"http requests":     st.HTTPRequests,
		"signatures ok":     st.SignaturesOK,
		"signatures bad":    st.SignaturesBad,
	}
	want := map[string]any{
		"connections":       34,
		"by link":           map[string]int{"shortlink": 25, "longlink": 2, "http": 2, "empty": 5},
		"records":           204,
		"records by type":   map[string]int{"0x16 handshake": 61, "0x19 0-rtt handshake": 46, "0x17 application data": 50, "0x15 alert": 47},
		"plaintext":         54,
		"decrypted":         117,
		"app data":          40,
		"multi-segment":     7,
		"not decrypted":     map[string]int{taxonomy.ReasonNoKey: 33},
		"payloads":          42,
		"payloads by inner": map[string]int{"aes-cbc": 32, "aes-gcm": 8, "none": 2},
		"compressed":        17,
		"http requests":     2,
		"signatures ok":     21,
		"signatures bad":    0,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}

	// 4 AES-GCM newsync bodies and the 4 parts of the auth exchange.
	var newsync, auth int
	for _, p := range ps {
		switch {
		case p.Inner == taxonomy.InnerAESGCM && p.ReqType == 138:
			newsync++
		case p.Inner == taxonomy.InnerAESGCM && strings.HasSuffix(p.URI, "/secautoauth"):
			auth++
		}
	}
	if newsync != 4 || auth != 4 {
		t.Errorf("newsync %d, auth parts %d; want 4 and 4", newsync, auth)
	}

	// The payload bytes themselves, by hash only: decrypted real data is
	// never committed.
	h := sha256.New()
	for _, k := range payloadKeys(ps) {
		h.Write([]byte(k + "\n"))
	}
	if got, want := hex.EncodeToString(h.Sum(nil)), realPayloadsHash; got != want {
		t.Errorf("payload set hash = %s, want %s", got, want)
	}
}

// realPayloadsHash is the sha256 of payloadKeys of the real capture.
const realPayloadsHash = "f3aac44620c32d7b3e8af917a35397659498782701601e2cd9b31c50f3d1e3c7"

// TestAutoauthRequest checks the decrypted auth request against the
// published plaintext, which masks the device id with 'A' (0x41).
func TestAutoauthRequest(t *testing.T) {
	dir := fixtures.Dir(t)
	capture, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		t.Fatal(err)
	}
	want := fixtures.ReadHexDump(t, "autoauth-request-packet-plaintext.hex")
	ps, _ := decryptBytes(t, capture, loadKeys(t, dir+"/"+realKeylog))
	var got []byte
	for _, p := range ps {
		if p.Direction == payload.DirRequest && strings.HasSuffix(p.URI, "/secautoauth") && p.Part == "payload" {
			got = p.Payload
		}
	}
	if len(got) != len(want) {
		t.Fatalf("auth request: %d bytes, published plaintext %d", len(got), len(want))
	}
	masked := 0
	for i := range got {
		if got[i] == want[i] {
			continue
		}
		if want[i] != 'A' {
			t.Fatalf("auth request differs at byte %d (published %#02x) outside the masked device id", i, want[i])
		}
		masked++
	}
	if masked == 0 || masked > 32 {
		t.Errorf("%d bytes masked; want the device id only", masked)
	}
}

// TestRewrittenCapture rewrites the real capture with segments split,
// reordered, duplicated and partially retransmitted (the same TCP byte
// streams) and expects the same payloads byte for byte.
func TestRewrittenCapture(t *testing.T) {
	dir := fixtures.Dir(t)
	capture, err := os.ReadFile(dir + "/" + realCapture)
	if err != nil {
		t.Fatal(err)
	}
	keys := loadKeys(t, dir+"/"+realKeylog)
	base, baseStats := decryptBytes(t, capture, keys)
	want := payloadKeys(base)
	for _, opts := range []pcaprewrite.Options{
		{Seed: 1, SplitMax: 1},
		{Seed: 2, SplitMax: 7, Reorder: 0.3, Duplicate: 0.2, PartialRetransmit: 0.2},
		{Seed: 3, SplitMax: 100, Reorder: 0.5, Duplicate: 0.5, PartialRetransmit: 0.5},
	} {
		t.Run(fmt.Sprintf("seed%d", opts.Seed), func(t *testing.T) {
			var buf bytes.Buffer
			if err := pcaprewrite.Rewrite(bytes.NewReader(capture), &buf, opts); err != nil {
				t.Fatal(err)
			}
			ps, st := decryptBytes(t, buf.Bytes(), keys)
			if diff := cmp.Diff(want, payloadKeys(ps)); diff != "" {
				t.Errorf("payloads differ (-want +got):\n%s", diff)
			}
			if st.RecordsDecrypted != baseStats.RecordsDecrypted || st.Records != baseStats.Records {
				t.Errorf("records %d/%d decrypted, want %d/%d", st.RecordsDecrypted, st.Records, baseStats.RecordsDecrypted, baseStats.Records)
			}
		})
	}
}
