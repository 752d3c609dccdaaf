package decode_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wxaudit/wxaudit/decode"
	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/schemaless"
)

// citizenLab returns the Citizen Lab fixture folder (see internal/fixtures).
func citizenLab(t testing.TB) string {
	t.Helper()
	return fixtures.Dir(t)
}

// capturePayloads decrypts the published capture with its key log: the
// business-layer payloads and the plain HTTP bodies.
func capturePayloads(t *testing.T) ([]*payload.Payload, *decrypt.Stats) {
	t.Helper()
	dir := citizenLab(t)
	kf, err := os.Open(filepath.Join(dir, "frida-logged-in-all-keys.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer kf.Close()
	keys, err := keylog.Parse(kf)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := os.Open(filepath.Join(dir, "capture-logged-in-all-keys.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	var ps []*payload.Payload
	st, err := decrypt.Run(context.Background(), cf, decrypt.Options{Keys: keys, CaptureName: "capture-logged-in-all-keys.pcapng"}, func(p *payload.Payload) error {
		ps = append(ps, p)
		return nil
	})
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	return ps, st
}

func sha16(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// Hashes of the capture's uin and device id, so this file holds no real
// identifier. The uin is the same account as in the report logs.
const (
	captureUinHash      = "ebf4799b89efc168" // sha256 of the capture account's uin, [:8]: the value itself is not written here
	captureDeviceIDHash = "b4e6c52f3f59fe7f"
)

// TestCaptureAuthRequest decodes the auth request of the real capture and
// checks its BaseRequest by name under 2.1, and its message structure
// against the published schema-less decoding autoauth-request.json (whose
// identifying values are masked, so only field numbers are compared).
func TestCaptureAuthRequest(t *testing.T) {
	ps, _ := capturePayloads(t)
	var auth *payload.Payload
	for _, p := range ps {
		if p.Direction == payload.DirRequest && strings.HasSuffix(p.URI, "/secautoauth") && p.Part == "payload" {
			auth = p
		}
	}
	if auth == nil {
		t.Fatal("no secautoauth request payload in the capture")
	}
	rec := decode.NewDecoder(decode.Options{}).Decode(*auth)
	if rec.Opaque || rec.Tree == nil || rec.Tree.Root.Kind != schemaless.KindMessage || rec.Stopped != rec.Size {
		t.Fatalf("auth request: opaque %v, stopped %d of %d", rec.Opaque, rec.Stopped, rec.Size)
	}
	byPath := map[string]*schemaless.Node{}
	rec.Tree.Walk(func(n *schemaless.Node, _ int) bool {
		if n.Wire != schemaless.WireNone {
			byPath[n.Path] = n
		}
		return true
	})

	// The BaseRequest, by name.
	br := byPath["2.1"]
	if br == nil || br.Name != "base_request" {
		t.Fatalf("2.1 is %+v, want the base_request", br)
	}
	got := map[string]string{}
	for _, c := range br.Children {
		switch c.Name {
		case "base_request.uin":
			got[c.Name] = sha16(strconv.FormatUint(c.Uint, 10))
		case "base_request.device_id":
			// Published masked as 15 'A's and a NUL.
			got[c.Name] = sha16(strings.TrimRight(c.Text, "\x00")) + " " + strconv.Itoa(len(c.Text))
		case "base_request.client_version", "base_request.scene":
			got[c.Name] = "0x" + strconv.FormatUint(c.Uint, 16)
		case "base_request.device_type":
			got[c.Name] = c.Text
		case "base_request.session_key":
			got[c.Name] = c.Kind.String() + " " + strconv.Itoa(c.Span.Length)
		}
	}
	want := map[string]string{
		"base_request.uin":       captureUinHash,
		"base_request.device_id": captureDeviceIDHash + " 16",
		// The same version the business header carries (8.0.49).
		"base_request.client_version": "0x" + strconv.FormatUint(uint64(auth.ClientVersion), 16),
		"base_request.device_type":    "android-34",
		"base_request.scene":          "0x2",
		"base_request.session_key":    "bytes 1",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("base_request (-want +got)\n%s", d)
	}
	if auth.ClientVersion != 0x28001737 {
		t.Errorf("header client version %#x, want 0x28001737", auth.ClientVersion)
	}

	// The structure of autoauth-request.json: every object is a message
	// with the same field numbers, every string a non-message value.
	raw, err := os.ReadFile(filepath.Join(citizenLab(t), "autoauth-request.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pub map[string]any
	if err := json.Unmarshal(raw, &pub); err != nil {
		t.Fatal(err)
	}
	var mismatches, viaAlternative []string
	var compare func(path string, v any)
	compare = func(path string, v any) {
		n := byPath[path]
		if path == "" {
			n = rec.Tree.Root
		}
		if n == nil {
			mismatches = append(mismatches, path+": missing")
			return
		}
		obj, isObj := v.(map[string]any)
		if !isObj {
			if n.Kind == schemaless.KindMessage {
				mismatches = append(mismatches, path+": message, published as a value")
			}
			return
		}
		if n.Kind != schemaless.KindMessage {
			// A reading the published decoder preferred must at least be
			// kept as an alternative.
			if !slices.ContainsFunc(n.Alternatives, func(a schemaless.Alternative) bool { return a.Kind == schemaless.KindMessage }) {
				mismatches = append(mismatches, path+": "+n.Kind.String()+" without a message alternative")
			}
			if len(obj) > 0 {
				viaAlternative = append(viaAlternative, path)
			}
			return
		}
		var pubFields, ourFields []string
		for k := range obj {
			pubFields = append(pubFields, k)
		}
		for _, c := range n.Children {
			if !slices.Contains(ourFields, strconv.Itoa(int(c.Field))) {
				ourFields = append(ourFields, strconv.Itoa(int(c.Field)))
			}
		}
		sort.Strings(pubFields)
		sort.Strings(ourFields)
		if !slices.Equal(pubFields, ourFields) {
			mismatches = append(mismatches, path+": fields "+strings.Join(ourFields, ",")+", published "+strings.Join(pubFields, ","))
		}
		for k, sub := range obj {
			p := k
			if path != "" {
				p = path + "." + k
			}
			compare(p, sub)
		}
	}
	compare("", pub)
	sort.Strings(mismatches)
	for _, m := range mismatches {
		t.Errorf("structure differs from autoauth-request.json at %s", m)
	}
	// 2.12 is five printable bytes that also parse as one fixed32 field:
	// the published decoder reads a message, schemaless prefers text and
	// keeps the message as an alternative.
	if !slices.Equal(viaAlternative, []string{"2.12"}) {
		t.Errorf("non-empty published messages decoded as other kinds: %v, want [2.12]", viaAlternative)
	}
}

// TestCapturePayloads decodes every payload of the real capture (42
// business-layer payloads and the 4 plain HTTP bodies of newgetdns): each
// is a tree or opaque with a reason, and no budget runs out. Counts only.
func TestCapturePayloads(t *testing.T) {
	ps, st := capturePayloads(t)
	if st.Payloads != 42 || len(ps) != 46 {
		t.Fatalf("%d business payloads, %d in all; want 42 and 46", st.Payloads, len(ps))
	}
	d := decode.NewDecoder(decode.Options{})
	roots := map[string]int{}
	var fields int
	for i, p := range ps {
		rec := d.Decode(*p)
		switch {
		case rec.Empty:
			roots["empty"]++
		case rec.Opaque:
			if rec.Reason == "" {
				t.Errorf("payload %d (%s %s): opaque without a reason", i, p.Direction, p.URI)
			}
			roots["opaque"]++
		case rec.Tree == nil || len(rec.Tree.Root.Children) == 0:
			t.Errorf("payload %d (%s %s): neither a tree nor opaque", i, p.Direction, p.URI)
		default:
			roots[rec.Tree.Root.Kind.String()]++
		}
		if len(rec.Budgets) > 0 {
			t.Errorf("payload %d (%s %s): budgets exhausted %v", i, p.Direction, p.URI, rec.Budgets)
		}
		rec.Tree.Walk(func(n *schemaless.Node, depth int) bool {
			if depth > 0 || n.Kind != schemaless.KindMessage || n.Reason != "" { // as "fields" in the JSON
				fields++
			}
			return true
		})
	}
	t.Logf("%d payloads: roots %v, %d fields", len(ps), roots, fields)
	// Two client randoms of the auth exchange are opaque; the newgetdns
	// HTTP request is a query and its response XML; one Longlink
	// response reads best as packed varints.
	want := map[string]int{"message": 39, "opaque": 2, "query": 2, "xml": 2, "packed": 1}
	if d := cmp.Diff(want, roots); d != "" {
		t.Errorf("root kinds (-want +got)\n%s", d)
	}
	if fields != 9762 {
		t.Errorf("%d fields in all, want 9762", fields)
	}
}
