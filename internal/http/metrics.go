package http

import (
	"crypto/subtle"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/notify"
)

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(pool PoolStater, notes func() map[string]notify.Counts) *metrics {
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
	if notes != nil {
		m.reg.MustRegister(notifyCollector(notes))
	}
	return m
}

var notifyDesc = prometheus.NewDesc("academy_notifications_total",
	"Notification deliveries by channel and outcome (sent; failed: will be retried; parked: refused for good) since start.",
	[]string{"channel", "outcome"}, nil)

// notifyCollector reads the relay's counts at each scrape.
type notifyCollector func() map[string]notify.Counts

func (notifyCollector) Describe(ch chan<- *prometheus.Desc) { ch <- notifyDesc }

func (f notifyCollector) Collect(ch chan<- prometheus.Metric) {
	for channel, c := range f() {
		for outcome, n := range map[string]int{"sent": c.Sent, "failed": c.Failed, "parked": c.Parked} {
			ch <- prometheus.MustNewConstMetric(notifyDesc, prometheus.CounterValue, float64(n), channel, outcome)
		}
	}
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

// metricsHandler serves the metrics to the scraper alone: they show
// traffic by route, and /metrics is outside the session system (scrapers
// hold no session). With a token the scraper sends it as a bearer token;
// without one only a client on this machine (the socket's address, not a
// header a client can set) may read them.
func (s *Server) metricsHandler() fiber.Handler {
	serve := adaptor.HTTPHandler(promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	want := []byte("Bearer " + s.MetricsToken)
	return func(c *fiber.Ctx) error {
		// The scraper is a program: errors as JSON, not a login redirect.
		c.Locals(localJSONErrors, true)
		if s.MetricsToken != "" {
			if subtle.ConstantTimeCompare(c.Request().Header.Peek(fiber.HeaderAuthorization), want) != 1 {
				c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
				return academy.Errorf(academy.EUNAUTHORIZED, "/metrics 需要令牌 / /metrics needs Authorization: Bearer <the metrics token>.")
			}
		} else if !c.Context().RemoteIP().IsLoopback() {
			return academy.Errorf(academy.EFORBIDDEN, "/metrics 仅对本机开放 / /metrics answers only this machine unless a metrics token is set (--metrics-token).")
		}
		return serve(c)
	}
}
