package decrypt

import (
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/mmtls"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// keyState is what one direction of a connection knows about its record
// keys.
type keyState struct {
	// learned holds the key and base IV pairs that opened a record of this
	// direction; they open its other records (doc/protocol.md §2).
	learned []keylog.KeyIV
	// tried is set when some key was tried and its tag did not verify, so a
	// record that stays closed failed by "tag mismatch" rather than "no key".
	tried bool
}

func (k *keyState) failReason() string {
	if k.tried {
		return taxonomy.ReasonTagMismatch
	}
	return taxonomy.ReasonNoKey
}

func (k *keyState) learn(kv keylog.KeyIV) {
	for _, have := range k.learned {
		if have == kv {
			return
		}
	}
	k.learned = append(k.learned, kv)
}

// open tries every key this direction may use on rec, in the order of the
// package doc, and returns the plaintext. With scratch set the plaintext
// may be in the decrypter's scratch buffer, valid until the next open with
// scratch set; otherwise it is a new slice.
func (h *half) open(seq uint64, rec mmtls.Record, scratch bool) ([]byte, bool) {
	d := h.c.d
	if len(rec.Body) < mmtls.TagLen {
		return nil, false
	}
	if pt, ok := h.c.openWithSecrets(h, seq, rec); ok {
		return pt, true
	}
	if d.keys != nil {
		var tail [8]byte
		copy(tail[:], rec.Body[len(rec.Body)-8:])
		for _, e := range d.keys.OuterByTail(tail) {
			kv := keylog.KeyIV{Key: e.Key16, BaseIV: e.BaseIV}
			if pt, ok := d.tryOpen(kv, seq, rec, scratch); ok {
				h.keys.learn(kv)
				d.creditHook(e.Meta)
				return pt, true
			}
			h.keys.tried = true
		}
	}
	for _, kv := range h.keys.learned {
		if pt, ok := d.tryOpen(kv, seq, rec, scratch); ok {
			return pt, true
		}
		h.keys.tried = true
	}
	return nil, false
}

// tryOpen opens rec with one key, into the scratch buffer or a new slice
// (see half.open); the AES-GCM state is cached per key.
func (d *decrypter) tryOpen(kv keylog.KeyIV, seq uint64, rec mmtls.Record, scratch bool) ([]byte, bool) {
	a, ok := d.aeads[kv]
	if !ok {
		a = mmtls.NewXORNonceAEAD(mmtls.TrafficKey{Key: kv.Key, IV: kv.BaseIV})
		d.aeads[kv] = a
	}
	if !scratch {
		pt, err := a.Open(nil, seq, rec)
		return pt, err == nil
	}
	pt, err := a.Open(d.scratch[:0], seq, rec)
	if err != nil {
		return nil, false
	}
	d.scratch = pt[:0]
	if len(pt) == 0 {
		return nil, true // as a copy of nothing would be
	}
	return pt, true
}
