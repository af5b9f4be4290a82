package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// Lines written at once from many requests come out whole, each writer's in
// its order, after the wait or at Flush, and none is lost or doubled.
func TestLogBufferKeepsLinesWholeAndInOrder(t *testing.T) {
	out := &syncBuffer{}
	b := newLogBuffer(out, 50*time.Millisecond)
	if _, err := b.Write([]byte("first\n")); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "" {
		t.Fatalf("written before the wait: %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for out.String() == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := out.String(); got != "first\n" {
		t.Fatalf("after the wait: %q, want the line", got)
	}

	const writers, lines = 8, 2000 // 16,000 lines pass the buffer's size many times
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				fmt.Fprintf(b, `{"writer":%d,"line":%d,"pad":"%s"}`+"\n", w, i, strings.Repeat("x", i%50))
			}
		}()
	}
	wg.Wait()
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(strings.TrimPrefix(out.String(), "first\n"), "\n"), "\n")
	if len(got) != writers*lines {
		t.Fatalf("%d lines, want %d", len(got), writers*lines)
	}
	next := make([]int, writers)
	for _, l := range got {
		var w, i int
		if _, err := fmt.Sscanf(l, `{"writer":%d,"line":%d,`, &w, &i); err != nil || !strings.HasSuffix(l, `"}`) {
			t.Fatalf("a line was cut or mixed: %q", l)
		}
		if i != next[w] {
			t.Fatalf("writer %d: line %d came where %d was due", w, i, next[w])
		}
		next[w]++
	}
}
