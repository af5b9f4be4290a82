package mongo

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// A write queued behind another gives up with its request's deadline
// rather than waiting on; once the turn is free it runs.
func TestWriteTurnHonoursTheDeadline(t *testing.T) {
	c := collection{turn: make(chan struct{}, 1)}
	c.turn <- struct{}{} // another write holds the turn
	ran := false
	write := func() (int, error) { ran = true; return 1, nil }

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := inTurn(ctx, c, write); !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Fatalf("queued write: err %v, ran %v; want the deadline and no write", err, ran)
	}
	// The caller sees what a request sees when the database is too slow.
	if _, err := inTurn(ctx, c, write); academy.ErrorCode(FormatError(err)) != academy.EUNAVAILABLE {
		t.Fatalf("queued write past its deadline, as the caller sees it: %v", FormatError(err))
	}

	<-c.turn
	if n, err := inTurn(context.Background(), c, write); err != nil || n != 1 || !ran {
		t.Fatalf("write with the turn free: %d %v", n, err)
	}
	if len(c.turn) != 0 {
		t.Fatal("the turn was not given back")
	}
}
