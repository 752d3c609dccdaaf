// This file lets several goroutines open packets of one capture at once
// and still get exactly what opening them in order gives.

package business

// Snapshot is what a AuthState has learned at one point: its key lists, which
// only grow. It shares their arrays (clipped, so that learning more never
// writes into them) and is cheap to take.
type Snapshot struct {
	session, signature [][16]byte
	gcm                [][24]byte
}

// Snapshot returns what st has learned so far.
func (st *AuthState) Snapshot() Snapshot {
	return Snapshot{
		session:   st.SessionKeys[:len(st.SessionKeys):len(st.SessionKeys)],
		signature: st.SignatureKeys[:len(st.SignatureKeys):len(st.SignatureKeys)],
		gcm:       st.GCMKeys[:len(st.GCMKeys):len(st.GCMKeys)],
	}
}

// Restore sets st's learned keys to s, keeping st's own caches. Open is a
// function of the packet, the key log and the learned keys only, so Open
// on a AuthState restored from a snapshot of another computes what Open on
// the other would have, had it learned nothing since.
func (st *AuthState) Restore(s Snapshot) {
	st.SessionKeys, st.SignatureKeys, st.GCMKeys = s.session, s.signature, s.gcm
}

// Unchanged reports whether st has learned nothing since s was taken.
func (st *AuthState) Unchanged(s Snapshot) bool {
	return len(st.SessionKeys) == len(s.session) && len(st.SignatureKeys) == len(s.signature) && len(st.GCMKeys) == len(s.gcm)
}

// Merge adds to st, in order, the keys that after (a snapshot of a AuthState
// restored from base) learned beyond base. With st.Unchanged(base) this
// leaves st as if it had opened the packets itself.
func (st *AuthState) Merge(base, after Snapshot) {
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
