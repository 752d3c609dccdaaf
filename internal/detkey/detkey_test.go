package detkey

import (
	"bytes"
	"math/rand"
	"testing"
)

func TestDeterministic(t *testing.T) {
	a, err := ECDH(rand.New(rand.NewSource(7)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ECDH(rand.New(rand.NewSource(7)))
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed, different ECDH keys")
	}
	c, _ := ECDSA(rand.New(rand.NewSource(7)))
	d, _ := ECDSA(rand.New(rand.NewSource(7)))
	if !c.Equal(d) {
		t.Fatal("same seed, different ECDSA keys")
	}
}

func TestInvalidScalars(t *testing.T) {
	// All-zero scalars are invalid: the source never yields a key.
	if _, err := ECDH(bytes.NewReader(make([]byte, 32*maxTries))); err != ErrNoKey {
		t.Fatalf("err = %v, want ErrNoKey", err)
	}
	// A short source is an error, not a panic.
	if _, err := ECDSA(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Fatal("short source accepted")
	}
}
