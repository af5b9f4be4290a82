package http

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(pool PoolStater) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "academy_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "academy_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	m.reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "academy_db_pool_open_connections", Help: "Open database connections."},
			func() float64 { o, _ := pool.PoolStats(); return float64(o) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "academy_db_pool_in_use_connections", Help: "Database connections checked out."},
			func() float64 { _, u := pool.PoolStats(); return float64(u) }),
	)
	return m
}

// middleware records each request under its route pattern (not the raw
// path), so that label cardinality stays bounded.
func (m *metrics) middleware(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	m.observe(c, start)
	return err
}

func (m *metrics) observe(c *fiber.Ctx, start time.Time) {
	// A request refused before routing has a stand-in route without
	// handlers whose path is the raw one: unbounded, so not a label.
	r := c.Route()
	route := r.Path
	if r.Method == "USE" || route == "" || len(r.Handlers) == 0 {
		route = "unmatched"
	}
	m.requests.WithLabelValues(c.Method(), route, strconv.Itoa(c.Response().StatusCode())).Inc()
	m.latency.WithLabelValues(c.Method(), route).Observe(time.Since(start).Seconds())
}

func (m *metrics) handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}
