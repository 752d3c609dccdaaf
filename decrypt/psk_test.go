package decrypt

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/mmtls"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/synth"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// hello is a ClientHello found in a capture.
type hello struct {
	random  [32]byte
	zeroRTT bool
	tickets []mmtls.SessionTicket
}

// clientHellos finds the ClientHellos at the start of client segments (the
// first record of a Longlink, or of a Shortlink body after its HTTP head).
// It is enough for captures whose hellos sit in one segment, as both
// synthetic and Citizen Lab's do.
func clientHellos(t *testing.T, capFile []byte) []hello {
	t.Helper()
	cr, err := capture.NewReader(bytes.NewReader(capFile))
	if err != nil {
		t.Fatal(err)
	}
	var out []hello
	for {
		p, err := cr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b := p.Payload
		if bytes.HasPrefix(b, []byte("POST /mmtls/")) {
			if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
				b = b[i+4:]
			}
		}
		rec, _, err := mmtls.ParseRecord(b)
		if err != nil || (rec.Type != 0x16 && rec.Type != 0x19) {
			continue
		}
		ch, err := mmtls.ParseClientHello(rec.Body)
		if err != nil {
			continue
		}
		h := hello{random: ch.Random, zeroRTT: rec.Type == 0x19}
		if ext, ok := ch.PreSharedKey(); ok {
			for _, tk := range ext.Tickets {
				tk.Ticket = bytes.Clone(tk.Ticket)
				h.tickets = append(h.tickets, tk)
			}
		}
		out = append(out, h)
	}
}

func runPSK(t *testing.T, capFile []byte, keys *keylog.Log, psks []keylog.StoredPSK) ([]*payload.Payload, *Stats) {
	t.Helper()
	var ps []*payload.Payload
	st, err := Run(context.Background(), bytes.NewReader(capFile), Options{Keys: keys, PSKs: psks}, func(p *payload.Payload) error {
		ps = append(ps, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ps, st
}

// On synthetic traffic, a psk.key holding the ticket the 0-RTT Shortlinks
// present and its PSK_ACCESS opens them without any key log.
func TestPSKFileOpensZeroRTTSynthetic(t *testing.T) {
	dir := t.TempDir()
	res, err := synth.Generate(synth.Options{Scenario: "miniprogram-location", Seed: 5, OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	capFile, _ := os.ReadFile(res.Capture)
	secrets := loadKeys(t, res.Secrets)
	var psk *keylog.StoredPSK
	zeroRTT := 0
	for _, h := range clientHellos(t, capFile) {
		if !h.zeroRTT || len(h.tickets) == 0 {
			continue
		}
		zeroRTT++
		access, ok := secrets.PSKAccess(h.random)
		if ok && psk == nil {
			psk = &keylog.StoredPSK{Ticket: h.tickets[0], Secret: access}
		}
	}
	if psk == nil || zeroRTT < 2 {
		t.Fatalf("synthetic capture has %d 0-RTT hellos, psk %v", zeroRTT, psk)
	}
	// The file round-trips through its encryption.
	const model = "Google-Pixel 7"
	sealed := keylog.SealPSKFile(psk, model)
	got, err := keylog.ParsePSKFile(sealed, model)
	if err != nil || !bytes.Equal(got.Secret, psk.Secret) || !bytes.Equal(got.Ticket.Ticket, psk.Ticket.Ticket) {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := keylog.ParsePSKFile(sealed, "Google-Pixel 8"); !errors.Is(err, keylog.ErrPSKFileKey) {
		t.Errorf("wrong model: err = %v", err)
	}

	// Inner keys only (no outer secrets): the psk.key opens the outer layer.
	var inner strings.Builder
	inner.WriteString(keylog.SecretsHeader + "\n")
	for _, e := range secrets.Entries() {
		if e.Kind == keylog.KindSessionKey || e.Kind == keylog.KindGCMKey {
			inner.Write(keylog.AppendLine(nil, e))
		}
	}
	innerKeys, _ := keylog.Parse(strings.NewReader(inner.String()))
	_, without := runPSK(t, capFile, innerKeys, nil)
	ps, with := runPSK(t, capFile, innerKeys, []keylog.StoredPSK{*got})
	if with.PSK == nil || with.PSK.Presenting != zeroRTT || with.PSK.PSKHellos < zeroRTT {
		t.Fatalf("psk stats = %+v, want %d presenting", with.PSK, zeroRTT)
	}
	if with.PSK.RecordsOpened == 0 || with.RecordsDecrypted <= without.RecordsDecrypted {
		t.Errorf("psk.key opened %d records (%d decrypted with it, %d without)", with.PSK.RecordsOpened, with.RecordsDecrypted, without.RecordsDecrypted)
	}
	shortlinks := 0
	for _, p := range ps {
		if p.Link == payload.LinkShortlink {
			shortlinks++
		}
	}
	if shortlinks == 0 {
		t.Error("no Shortlink payload opened through psk.key")
	}
}

// On Citizen Lab's capture, the published psk.key cannot be confirmed:
// its ticket is presented by no ClientHello, and its secret, tried on every
// connection anyway (as PSK_ACCESS of each 0-RTT hello, and as the
// handshake secret of each ECDHE hello presenting a refresh ticket), opens
// nothing. doc/psk.md reports these figures; this test keeps them true.
func TestPSKFileRealCapture(t *testing.T) {
	dir := fixtures.Dir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "psk.key"))
	if err != nil {
		t.Fatal(err)
	}
	psk, err := keylog.ParsePSKFile(raw, "Google-sdk_gphone64_arm64")
	if err != nil {
		t.Fatal(err)
	}
	if psk.Ticket.Type != 2 || psk.Ticket.Lifetime != 30*24*3600 || len(psk.Ticket.Ticket) != 105 || len(psk.Secret) != 32 ||
		psk.Saved.Format("2006-01-02") != "2023-10-01" || hex.EncodeToString(psk.Ticket.Ticket[:4]) != "307bddb0" {
		t.Errorf("psk.key = type %d, lifetime %d, ticket %d bytes, saved %v", psk.Ticket.Type, psk.Ticket.Lifetime, len(psk.Ticket.Ticket), psk.Saved)
	}
	capFile, err := os.ReadFile(filepath.Join(dir, realCapture))
	if err != nil {
		t.Fatal(err)
	}
	hellos := clientHellos(t, capFile)
	var zero, ecdheRefresh, presenting int
	var tryAll strings.Builder
	tryAll.WriteString(keylog.SecretsHeader + "\n")
	sec := hex.EncodeToString(psk.Secret)
	for _, h := range hellos {
		refresh := false
		for _, tk := range h.tickets {
			if bytes.Equal(tk.Ticket, psk.Ticket.Ticket) {
				presenting++
			}
			refresh = refresh || tk.Type == 2
		}
		r := hex.EncodeToString(h.random[:])
		switch {
		case h.zeroRTT:
			zero++
			tryAll.WriteString(keylog.LabelPSKAccess + " " + r + " " + sec + "\n")
		case refresh:
			ecdheRefresh++
			tryAll.WriteString(keylog.LabelSecret + " " + r + " " + sec + "\n")
		}
	}
	t.Logf("%d ClientHellos: %d 0-RTT, %d ECDHE with a refresh ticket; %d present the psk.key ticket", len(hellos), zero, ecdheRefresh, presenting)
	if presenting != 0 || zero == 0 || ecdheRefresh == 0 {
		t.Errorf("figures changed: %d presenting, %d 0-RTT, %d ECDHE+refresh; update doc/psk.md", presenting, zero, ecdheRefresh)
	}
	_, st := runPSK(t, capFile, nil, []keylog.StoredPSK{*psk})
	if st.PSK.Presenting != 0 || st.PSK.RecordsOpened != 0 || st.RecordsDecrypted != 0 {
		t.Errorf("psk.key alone: %+v, %d records decrypted", st.PSK, st.RecordsDecrypted)
	}
	keys, _ := keylog.Parse(strings.NewReader(tryAll.String()))
	_, st = runPSK(t, capFile, keys, nil)
	t.Logf("secret tried on every hello: %d records decrypted, not decrypted %v", st.RecordsDecrypted, st.RecordsNotDecrypted)
	if st.RecordsDecrypted != 0 || st.RecordsNotDecrypted[taxonomy.ReasonTagMismatch] == 0 {
		t.Errorf("trying the secret everywhere: %d decrypted, %v; update doc/psk.md", st.RecordsDecrypted, st.RecordsNotDecrypted)
	}
}
