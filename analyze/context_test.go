package analyze

import (
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// pbText encodes one protobuf length-delimited field.
func pbText(field int, b []byte) []byte {
	return append(append([]byte{byte(field<<3 | 2)}, byte(len(b))), b...)
}

// TestContactWxid: the account's own user name is the one statusnotify
// states; another wxid in the same log is a contact, not the account.
func TestContactWxid(t *testing.T) {
	base := pbText(1, append(append(pbText(3, []byte("A0123456789abcd\x00")), pbText(5, []byte("android-30"))...), 0x10, 0x85, 0x80, 0x04))
	notify := append(append(append([]byte{}, base...), pbText(3, []byte("wxid_me0000001234"))...), pbText(4, []byte("wxid_me0000001234"))...)
	other := pbText(2, []byte("wxid_peer0000abcd"))
	line := func(id int, path string, b []byte) string {
		p := "null"
		if path != "" {
			p = `"` + path + `"`
		}
		return `{"data": "` + hex.EncodeToString(b) + `", "req_id": ` + itoa(id) + `, "req_type": ` + p + "}\n"
	}
	log := filepath.Join(t.TempDir(), "contacts.log.jsonl")
	if err := os.WriteFile(log, []byte(line(251, "/cgi-bin/micromsg-bin/statusnotify", notify)+line(987654, "", other)), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), []Input{{Path: log}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	byValue := map[string]map[string]bool{}
	for _, f := range rep.Findings {
		if byValue[f.Evidence.Value] == nil {
			byValue[f.Evidence.Value] = map[string]bool{}
		}
		byValue[f.Evidence.Value][f.DataType] = true
	}
	if !byValue["wxid_me0000001234"]["account_id"] || byValue["wxid_me0000001234"]["contacts_social_graph"] {
		t.Errorf("own wxid: %v", byValue["wxid_me0000001234"])
	}
	if !byValue["wxid_peer0000abcd"]["contacts_social_graph"] || byValue["wxid_peer0000abcd"]["account_id"] {
		t.Errorf("contact's wxid: %v", byValue["wxid_peer0000abcd"])
	}
}
