package mmtls

import (
	"bytes"
	"errors"
	"testing"

	"github.com/wxaudit/wxaudit/internal/testkit"
)

// recordVector is a fixed record-protection vector, cross-checked with an
// independent AES-GCM implementation (Python cryptography's AESGCM).
var recordVector = struct {
	key, iv, plaintext []byte
	seq                uint64
	nonce, aad, record []byte
}{
	key:       dhex("000102030405060708090a0b0c0d0e0f"),
	iv:        dhex("a0a1a2a3a4a5a6a7a8a9aaab"),
	seq:       0x0102,
	plaintext: []byte("mmtls record plaintext"),
	// base IV XOR seq in the last 8 bytes
	nonce: dhex("a0a1a2a3a4a5a6a7a8a9aba9"),
	// seq u64 | type | version | length including the tag
	aad: dhex("0000000000000102 17 f104 0026"),
	record: dhex(`
		17 f104 0026                                 # header
		ece808888a0e2084eaaca93824435b866904b1da14af # ciphertext
		c089b513bb563add7d848a1a2037d5eb             # tag
	`),
}

func TestRecordVector(t *testing.T) {
	v := recordVector
	key, iv := [16]byte(v.key), [12]byte(v.iv)
	if got := RecordNonce(iv, v.seq); !bytes.Equal(got[:], v.nonce) {
		t.Errorf("nonce: got %x, want %x", got, v.nonce)
	}
	if got := BaseIV([12]byte(v.nonce), v.seq); got != iv {
		t.Errorf("BaseIV: got %x, want %x", got, iv)
	}
	if got := recordAAD(v.seq, RecordTypeData, recordVersion, len(v.plaintext)+TagLen); !bytes.Equal(got[:], v.aad) {
		t.Errorf("aad: got %x, want %x", got, v.aad)
	}
	if got := sealRecord(key, iv, v.seq, RecordTypeData, v.plaintext, nil); !bytes.Equal(got, v.record) {
		t.Errorf("seal: got %x, want %x", got, v.record)
	}
	rec, _, err := ParseRecord(v.record)
	if err != nil {
		t.Fatal(err)
	}
	got, err := openRecordWithKey(key, iv, v.seq, rec, nil)
	if err != nil || !bytes.Equal(got, v.plaintext) {
		t.Fatalf("open: got %q, %v", got, err)
	}
}

func TestOpenRecordFailures(t *testing.T) {
	v := recordVector
	key, iv := [16]byte(v.key), [12]byte(v.iv)
	rec, _, _ := ParseRecord(v.record)
	flip := func(b []byte, i int) []byte { c := bytes.Clone(b); c[i] ^= 1; return c }
	tests := []struct {
		name string
		seq  uint64
		rec  Record
	}{
		{"wrong seq", v.seq + 1, rec},
		{"wrong type", v.seq, Record{RecordTypeHandshake, recordVersion, rec.Body}},
		{"wrong version", v.seq, Record{RecordTypeData, 0xF103, rec.Body}},
		{"flipped ciphertext", v.seq, Record{RecordTypeData, recordVersion, flip(rec.Body, 0)}},
		{"flipped tag", v.seq, Record{RecordTypeData, recordVersion, flip(rec.Body, len(rec.Body)-1)}},
		{"shorter than tag", v.seq, Record{RecordTypeData, recordVersion, rec.Body[:15]}},
		{"empty", v.seq, Record{RecordTypeData, recordVersion, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := openRecordWithKey(key, iv, tt.seq, tt.rec, nil)
			if !errors.Is(err, ErrTagMismatch) || got != nil {
				t.Fatalf("got %x, %v; want nil, ErrTagMismatch", got, err)
			}
		})
	}
}

func TestOpenInPlaceDoesNotAllocate(t *testing.T) {
	if testkit.Race {
		t.Skip("the race detector allocates")
	}
	k := TrafficKey{Key: [16]byte{1}, IV: [12]byte{2}}
	a := NewXORNonceAEAD(k)
	wire := a.Seal(nil, 7, RecordTypeData, make([]byte, 16<<10))
	buf := make([]byte, len(wire))
	var err error
	allocs := testing.AllocsPerRun(100, func() {
		copy(buf, wire)
		rec, _, _ := ParseRecord(buf)
		_, err = a.Open(rec.Body[:0], 7, rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	if allocs != 0 {
		t.Fatalf("in-place Open allocates %v times per record, want 0", allocs)
	}
	sealBuf := make([]byte, 0, len(wire))
	pt := make([]byte, 16<<10)
	if allocs := testing.AllocsPerRun(100, func() { a.Seal(sealBuf[:0], 8, RecordTypeData, pt) }); allocs != 0 {
		t.Fatalf("Seal into a buffer with room allocates %v times, want 0", allocs)
	}
}

func BenchmarkOpenRecord(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1KB", 1 << 10}, {"16KB", 16 << 10}} {
		b.Run("Record/"+size.name+"/AES128GCM", func(b *testing.B) {
			a := NewXORNonceAEAD(TrafficKey{Key: [16]byte{1}, IV: [12]byte{2}})
			wire := a.Seal(nil, 3, RecordTypeData, make([]byte, size.n))
			buf := make([]byte, len(wire))
			b.SetBytes(int64(len(wire)))
			b.ReportAllocs()
			for b.Loop() {
				copy(buf, wire)
				rec, _, _ := ParseRecord(buf)
				if _, err := a.Open(rec.Body[:0], 3, rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
