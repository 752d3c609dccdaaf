package decrypt

import (
	"errors"

	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/mmtls"
	"github.com/wxaudit/wxaudit/reassemble"
)

// plaintextHandshake feeds a plaintext record (hello or alert) to the
// key-schedule session, which needs the hellos for the transcript.
func (c *conn) plaintextHandshake(h *half, seq uint64, rec mmtls.Record) {
	if c.sess == nil {
		return
	}
	_, _, err := c.sess.Record(h.dir == reassemble.ClientToServer, seq, rec)
	if err != nil && !errors.Is(err, mmtls.ErrNoSecret) {
		c.d.stats.HandshakeErrors++
	}
	if c.d.psk != nil && h.dir == reassemble.ClientToServer && seq == 0 {
		c.d.psk.hello(c)
	}
}

// openWithSecrets opens a record through the connection's key schedule.
func (c *conn) openWithSecrets(h *half, seq uint64, rec mmtls.Record) ([]byte, bool) {
	if c.sess == nil {
		return nil, false
	}
	pt, kind, err := c.sess.Record(h.dir == reassemble.ClientToServer, seq, rec)
	if c.d.psk != nil {
		c.d.psk.record(c, kind == mmtls.Decrypted, err)
	}
	if kind != mmtls.Decrypted {
		if errors.Is(err, mmtls.ErrTagMismatch) {
			h.keys.tried = true
		}
		return nil, false
	}
	if ch := c.sess.ClientHello(); ch != nil {
		c.d.creditHook(c.d.keys.SecretMeta(ch.Random))
	}
	return pt, true
}

// lookupSecrets answers the session's question for a ClientHello random.
func (d *decrypter) lookupSecrets(random [32]byte) (mmtls.ConnSecrets, bool) {
	cs := mmtls.ConnSecrets{ClientRandom: random}
	s, ok1 := d.keys.Secret(random)
	p, ok2 := d.keys.PSKAccess(random)
	cs.Secret, cs.PSKAccess = s, p
	return cs, ok1 || ok2
}

// hasSecretLines reports whether a key log holds connection secrets.
func hasSecretLines(l *keylog.Log) bool {
	st := l.Stats()
	return st.ByKind[keylog.KindSecret.String()] > 0 || st.ByKind[keylog.KindPSKAccess.String()] > 0
}

// creditHook counts a record opened by a key a named hook logged.
func (d *decrypter) creditHook(m *keylog.Meta) {
	if m == nil || m.Hook == "" {
		return
	}
	if d.stats.Hooks == nil {
		d.stats.Hooks = map[string]int{}
	}
	d.stats.Hooks[m.Hook]++
}
