package mongo_test

import (
	"os"
	"sync"
	"testing"

	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Main(m)) }

// commandCount counts the commands a test's store sends that match: pass
// its observe to mongo.Observe.
type commandCount struct {
	match func(mongo.Command) bool
	mu    sync.Mutex
	n     int
}

func countCommands(match func(mongo.Command) bool) *commandCount {
	return &commandCount{match: match}
}

func (c *commandCount) observe(cmd mongo.Command) {
	if c.match(cmd) {
		c.mu.Lock()
		c.n++
		c.mu.Unlock()
	}
}

// take returns the count since the last take.
func (c *commandCount) take() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = 0
	return n
}
