package main

import (
	"io"
	"sync"
	"time"
)

// logBuffer gathers the server's log lines and writes them a few at a time.
// A busy server logs a line per request, and one system call per line was
// the largest cost of a lesson page after the page itself. A line waits at
// most wait; Flush writes what is left (at start-up, before the server says
// it is running, and when it stops). A SIGKILL may lose the last moment of
// lines, as with any buffered access log.
type logBuffer struct {
	w    io.Writer
	wait time.Duration

	mu    sync.Mutex
	buf   []byte
	timer *time.Timer // set while lines wait
}

// logBufferSize is the most that waits: past it a write goes out at once.
const logBufferSize = 64 << 10

func newLogBuffer(w io.Writer, wait time.Duration) *logBuffer {
	return &logBuffer{w: w, wait: wait}
}

// Write keeps p whole (slog writes a line per call), so lines never mix.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) >= logBufferSize {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if b.timer == nil {
		b.timer = time.AfterFunc(b.wait, func() { _ = b.Flush() })
	}
	return len(p), nil
}

// Flush writes every waiting line.
func (b *logBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *logBuffer) flushLocked() error {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0]
	return err
}
