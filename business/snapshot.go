// This file lets several goroutines open packets of one capture at once
// and still get exactly what opening them in order gives.

package business

// Snapshot is what a AuthState has learned at one point: its key lists, which
// only grow, and how much its payloads inflated to. It shares the lists'
// arrays (clipped, so that learning more never writes into them) and is
// cheap to take.
type Snapshot struct {
	session, signature [][16]byte
	gcm                [][24]byte
	inflated           int64
	capped             bool // an inflation hit its cap since the last Restore
}

// Snapshot returns what st has learned so far.
func (st *AuthState) Snapshot() Snapshot {
	return Snapshot{
		session:   st.SessionKeys[:len(st.SessionKeys):len(st.SessionKeys)],
		signature: st.SignatureKeys[:len(st.SignatureKeys):len(st.SignatureKeys)],
		gcm:       st.GCMKeys[:len(st.GCMKeys):len(st.GCMKeys)],
		inflated:  st.inflated,
		capped:    st.capped,
	}
}

// Restore sets st's learned keys and inflated total to s, keeping st's own
// caches and caps. Open is a function of the packet, the key log, the
// learned keys and the room left under the caps only, so Open on a
// AuthState restored from a snapshot of another computes what Open on the
// other would have, had it learned and inflated nothing since.
func (st *AuthState) Restore(s Snapshot) {
	st.SessionKeys, st.SignatureKeys, st.GCMKeys = s.session, s.signature, s.gcm
	st.inflated, st.capped = s.inflated, false
}

// Reproduces reports whether what a AuthState restored from base computed,
// ending at after, is what st would compute now: st learned no key since
// base, no inflation hit its cap (the other state's cap may be lower), and
// st has room left for after's output plus a whole payload, so that no cap
// of st could have stopped an inflation the other let through.
func (st *AuthState) Reproduces(base, after Snapshot) bool {
	if len(st.SessionKeys) != len(base.session) || len(st.SignatureKeys) != len(base.signature) || len(st.GCMKeys) != len(base.gcm) {
		return false
	}
	return !after.capped && st.outputLeft()-(after.inflated-base.inflated) >= st.perPayload()
}

// Merge adds to st, in order, the keys that after (a snapshot of a AuthState
// restored from base) learned beyond base, and what it inflated. With
// st.Reproduces(base, after) this leaves st as if it had opened the packets
// itself.
func (st *AuthState) Merge(base, after Snapshot) {
	st.inflated += after.inflated - base.inflated
	for _, k := range after.session[len(base.session):] {
		st.SessionKeys = addKey(st.SessionKeys, k)
	}
	for _, k := range after.signature[len(base.signature):] {
		st.SignatureKeys = addKey(st.SignatureKeys, k)
	}
	for _, k := range after.gcm[len(base.gcm):] {
		st.GCMKeys = addKey(st.GCMKeys, k)
	}
}
