package session

import (
	"errors"
	"testing"

	"github.com/rs/zerolog"
)

func TestTryLeaseIsExclusiveUntilReleased(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir, zerolog.Nop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir, zerolog.Nop(), nil) // a second store on the same state directory
	if err != nil {
		t.Fatal(err)
	}
	id := a.NewID()
	release, err := a.TryLease(id, "supervisor")
	if err != nil {
		t.Fatalf("first TryLease: %v", err)
	}
	if _, err := b.TryLease(id, "supervisor"); !errors.Is(err, ErrLeaseHeld) {
		t.Fatalf("second TryLease while held = %v, want ErrLeaseHeld", err)
	}
	other := a.NewID() + "x"
	if _, err := b.TryLease(other, "supervisor"); err == nil {
		t.Fatal("TryLease accepted an invalid session ID")
	}
	release()
	again, err := b.TryLease(id, "supervisor")
	if err != nil {
		t.Fatalf("TryLease after release: %v", err)
	}
	again()
}
