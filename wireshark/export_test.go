package wireshark

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/catalog"
	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/internal/testkit"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/synth"
)

// decryptExport decrypts a capture with a key log, writing the export
// through decrypt's Sink, and returns its path and the payloads emitted.
func decryptExport(t *testing.T, capturePath, keylogPath string) (string, []*payload.Payload) {
	t.Helper()
	kf, err := os.Open(keylogPath)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := keylog.Parse(kf)
	kf.Close()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(capturePath)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out bytes.Buffer
	w, err := NewExportWriter(&out, ExportOptions{Catalog: catalog.Default()})
	if err != nil {
		t.Fatal(err)
	}
	var emitted []*payload.Payload
	emit := func(p *payload.Payload) error { emitted = append(emitted, p); return nil }
	if _, err := decrypt.Run(context.Background(), in, decrypt.Options{Keys: keys, Sink: w}, emit); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Packets() != len(emitted) {
		t.Errorf("wrote %d packets for %d payloads", w.Packets(), len(emitted))
	}
	path := filepath.Join(t.TempDir(), "decrypted.pcapng")
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, emitted
}

// exportFields reads an export with tshark: per packet its number, the
// dissector its tags name, its original frame number, Info column, whether
// the protobuf dissector ran and whether the body was cut.
func exportFields(t *testing.T, path string) [][]string {
	t.Helper()
	return tsharkFields(t, path, "exported_pdu.prot_name", "exported_pdu.orig_fno", "_ws.col.Info", "protobuf", "wechat.cut")
}

// checkExport: one packet per payload, each naming the wechat dissector
// and its last original frame, the request path first in the Info column
// (the catalog's for Longlink payloads with a known request type), and no
// Lua error, malformed packet or expert error.
func checkExport(t *testing.T, path string, emitted []*payload.Payload) (protobufs int) {
	t.Helper()
	rows := exportFields(t, path)
	if len(rows) != len(emitted) {
		t.Fatalf("tshark read %d packets, want %d (one per payload)", len(rows), len(emitted))
	}
	for i, r := range rows {
		p := emitted[i]
		if r[1] != ProtoName {
			t.Errorf("packet %d: protocol name %q", i+1, r[1])
		}
		if want := strconv.FormatInt(p.Frames[len(p.Frames)-1], 10); r[2] != want {
			t.Errorf("packet %d: original frame %s, want %s", i+1, r[2], want)
		}
		info := r[3]
		switch {
		case p.URI != "":
			if want := p.URI + " " + p.Direction; !strings.HasPrefix(info, want) {
				t.Errorf("packet %d: Info %q, want it to start with %q", i+1, info, want)
			}
		case p.ReqType != 0:
			if !strings.HasPrefix(info, "/") || !strings.Contains(info, fmt.Sprintf("type=%d", p.ReqType)) {
				t.Errorf("packet %d: Info %q, want the catalog path and type=%d", i+1, info, p.ReqType)
			}
		default:
			if !strings.HasPrefix(info, "(no path) "+p.Direction) {
				t.Errorf("packet %d: Info %q", i+1, info)
			}
		}
		if r[4] != "" {
			protobufs++
		}
		if r[5] != "" {
			t.Errorf("packet %d: body cut", i+1)
		}
	}
	return protobufs
}

// TestTsharkExportSynth: a synthetic run's export reads cleanly, one
// packet per payload, path in the Info column, protobuf bodies decoded.
func TestTsharkExportSynth(t *testing.T) {
	tsharkPath(t)
	capturePath, secrets := synthCapture(t, synth.Options{Seed: 7, Scenario: "miniprogram-location"})
	path, emitted := decryptExport(t, capturePath, secrets)
	if len(emitted) == 0 {
		t.Fatal("no payloads")
	}
	if n := checkExport(t, path, emitted); n == 0 {
		t.Error("no packet went to the protobuf dissector")
	}
	out := tshark(t, path, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
		"-e", "frame.number", "-e", "_ws.col.Info", "-e", "wechat.uin", "-e", "wechat.longlink.cmd_id",
		"-e", "wechat.longlink.seq", "-e", "wechat.frame", "-e", "wechat.inner")
	got := "# tshark -X lua_script:mmtls.lua on the export of synth seed 7 miniprogram-location: frame, Info, uin, cmd id, seq, original frames, inner\n" + out
	testkit.Golden(t, filepath.Join("testdata", "synth-export.golden"), got, *update)
}

// TestTsharkExportReal: Citizen Lab's capture with its Frida key log.
func TestTsharkExportReal(t *testing.T) {
	capturePath := fixtures.Path(t, "capture-logged-in-all-keys.pcapng")
	keys := fixtures.Path(t, "frida-logged-in-all-keys.log")
	tsharkPath(t)
	path, emitted := decryptExport(t, capturePath, keys)
	// 42 decrypted payloads and the 2 plain-HTTP exchanges (doc/cli.md).
	if len(emitted) != 46 {
		t.Errorf("%d payloads, want 46", len(emitted))
	}
	if n := checkExport(t, path, emitted); n == 0 {
		t.Error("no packet went to the protobuf dissector")
	}
}

// TestExportTruncates: a payload beyond Wireshark's packet size limit is
// cut, counted, and shown by the dissector as cut, not decoded.
func TestExportTruncates(t *testing.T) {
	var out bytes.Buffer
	w, err := NewExportWriter(&out, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	big := &payload.Payload{Link: payload.LinkShortlink, Direction: payload.DirResponse, URI: "/cgi-bin/micromsg-bin/big",
		Frames: []int64{3}, Conn: &payload.Conn{Client: "[2001:db8::1]:40000", Server: "[2001:db8::2]:80"},
		Payload: bytes.Repeat([]byte{0x08, 0x01}, MaxExportPacket)}
	small := &payload.Payload{Link: payload.LinkShortlink, Direction: payload.DirRequest, URI: "/cgi-bin/micromsg-bin/small",
		Frames: []int64{1}, Conn: &payload.Conn{Client: "10.0.0.1:40000", Server: "10.0.0.2:80"}, Payload: []byte{0x08, 0x01}}
	for _, p := range []*payload.Payload{small, big} {
		if err := w.Payload(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Packets() != 2 || w.Truncated() != 1 {
		t.Errorf("%d packets, %d truncated; want 2, 1", w.Packets(), w.Truncated())
	}
	if err := w.Payload(small); err == nil {
		t.Error("write after Close succeeded")
	}
	tsharkPath(t)
	path := filepath.Join(t.TempDir(), "big.pcapng")
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rows := tsharkFields(t, path, "ipv6.src", "ip.src", "wechat.uri", "wechat.cut", "protobuf")
	if len(rows) != 2 {
		t.Fatalf("tshark read %d packets, want 2", len(rows))
	}
	// small: IPv4, decoded as protobuf; big: IPv6, cut, not decoded.
	if f := rows[0]; f[2] != "10.0.0.1" || f[3] != small.URI || f[4] != "" || f[5] == "" {
		t.Errorf("small payload: %q", f)
	}
	if f := rows[1]; f[1] != "2001:db8::2" || f[3] != big.URI || f[4] == "" || f[5] != "" {
		t.Errorf("cut payload: %q", f)
	}
}
