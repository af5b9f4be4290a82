package academy

import (
	"math/rand/v2"
	"time"
)

// RetryDelay is how long an outbox (xAPI statements, notifications) waits
// before attempt n+1 after n failed ones: base after the first, doubling
// with each further one, jittered by at most ±10% so that deliveries that
// failed together do not retry together, and never more than ceil.
func RetryDelay(attempts int, base, ceil time.Duration) time.Duration {
	d := base
	for i := 1; i < attempts && d < ceil; i++ {
		d *= 2
	}
	d = min(d, ceil)
	d = time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
	return min(d, ceil)
}
