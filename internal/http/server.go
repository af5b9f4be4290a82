// Package http serves the web UI and the JSON API with Fiber. It is the only
// package that imports Fiber: handlers translate between HTTP and the domain
// services, and one ErrorHandler maps domain error codes to responses.
package http

import (
	"context"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/badge"
	"github.com/academy/academy/internal/catalog"
	"github.com/academy/academy/internal/deskrules"
	"github.com/academy/academy/internal/locale"
	"github.com/academy/academy/internal/markdown"
	"github.com/academy/academy/internal/notify"
	"github.com/academy/academy/internal/quality"
)

// Pinger reports whether the database answers, for /readyz.
type Pinger interface {
	Ping(ctx context.Context) error
}

// PoolStater reports database connection pool use, for /metrics.
type PoolStater interface {
	PoolStats() (open, inUse int64)
}

// Deps are the services the server needs.
type Deps struct {
	Accounts *academy.Accounts
	Authz    academy.Authorizer
	DB       interface {
		Pinger
		PoolStater
	}
	Library  *academy.Library
	Learning *academy.Learning
	Examiner *academy.Examiner
	Desk     *academy.Desk
	// Calendars are the working calendars the desk's clocks count in.
	Calendars *academy.Calendars
	// DeskRules keeps the company's and the sites' desk rules (also
	// Desk.Rules).
	DeskRules   *deskrules.Service
	Cases       academy.CaseStore
	Coach       *academy.Coach
	Assignments academy.AssignmentService
	Catalog     *catalog.Catalog
	Markdown    *markdown.Renderer
	Logger      *slog.Logger
	Certifier   *academy.Certifier
	TeamBoard   *academy.TeamBoard
	// Throttle keeps the login throttle's counts where every instance
	// sees them.
	Throttle fiber.Storage
	Programs academy.ProgramService
	Issuer   *badge.Issuer
	Outbox   OutboxLister
	// Notify enqueues notifications and reads the in-app list, the
	// preferences and the outbox.
	Notify *notify.Service
	// Quality keeps the quality records of closed live tickets and the
	// figures of the quality pages.
	Quality *quality.Service
	// NotifyCounts reports the relay's outcomes per channel, for /metrics.
	NotifyCounts func() map[string]notify.Counts
	// TrustedProxies are the proxies (load balancers) whose X-Forwarded-*
	// headers are believed; from anyone else they are ignored.
	TrustedProxies []netip.Prefix
	// PublicURL is the address people reach the site at; it goes into
	// certificate QR codes and credential ids.
	PublicURL string
	Web       fs.FS // templates/, static/, locales/
	Version   string
	// MetricsToken, when set, is the bearer token /metrics asks for;
	// without it /metrics answers loopback clients only.
	MetricsToken string
	// OIDC, when set, offers company sign-in on the login page.
	OIDC *OIDC
	// WorkLogins offer sign-in through company chat platforms, one at
	// most for each.
	WorkLogins []*WorkLogin
}

// Server is the HTTP server.
type Server struct {
	Deps
	app     *fiber.App
	pages   map[string]*template.Template
	navTmpl *template.Template
	// lessonPages keeps lesson pages whole; see lessonpage.go.
	lessonPages *lessonPages
	// navCache holds the rendered navigation; see navHTML.
	navCache sync.Map
	locales  *locale.Catalog
	metrics  *metrics
	routes   []Route
	// staticVersion changes whenever a static file changes; it is appended
	// to asset URLs so that they can be cached for a year.
	staticVersion string
	// itemFlags keeps the questions item analysis flags, for trainers'
	// home pages; see home.go.
	itemFlags itemFlags
	// md keeps the HTML of question texts by their Markdown; see renderMD.
	md *lru.Cache[string, template.HTML]
}

// Body size limit: forms and JSON here are small; lessons are the largest.
const bodyLimit = 1 << 20

// headerLimit bounds the request line and headers together (Fiber's
// default read buffer, named so that the 431 message can state it).
const headerLimit = 4 << 10

// writeBuffer holds a whole page of the kind learners load most (a lesson
// is about 10 KB gzipped with its headers), so that it leaves in one write
// to the socket; with fasthttp's default of 4 KB it took two. The buffer
// is taken from a pool while a response is written, not per connection.
const writeBuffer = 16 << 10

// New builds the server and registers every route.
func New(d Deps) (*Server, error) {
	if d.Throttle == nil {
		return nil, errors.New("http: Deps.Throttle is required (the login throttle's counts)")
	}
	s := &Server{Deps: d, lessonPages: newLessonPages()}
	var err error
	if s.md, err = lru.New[string, template.HTML](mdCacheSize); err != nil {
		return nil, err
	}
	if s.locales, err = locale.Load(mustSub(d.Web, "locales")); err != nil {
		return nil, err
	}
	if err := s.loadTemplates(); err != nil {
		return nil, err
	}
	if s.staticVersion, err = hashFS(mustSub(d.Web, "static")); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(d.DB, d.NotifyCounts)

	s.app = fiber.New(fiber.Config{
		AppName: "academy",
		// Values from the request (method, params, form fields) are kept
		// beyond the handler: by metrics labels, caches and goroutines.
		// Fiber's default zero-copy strings would change under them.
		Immutable:             true,
		BodyLimit:             bodyLimit,
		ReadBufferSize:        headerLimit,
		WriteBufferSize:       writeBuffer,
		ErrorHandler:          s.handleUnrouted,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		// Hostname and Protocol (the CSRF origin check, Secure cookies)
		// read X-Forwarded-Host and -Proto only from trusted proxies; the
		// client address is clientIP's.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          proxyStrings(d.TrustedProxies),
	})
	// Order matters: errors (and recovered panics) become responses inside
	// the logging and metrics middleware, so both see the status sent.
	s.app.Use(s.resolveClient)
	s.app.Use(requestid.New())
	s.app.Use(s.logRequests)
	s.app.Use(s.metrics.middleware)
	s.app.Use(s.renderErrors)
	s.app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	s.app.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
			"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
		XFrameOptions:             "DENY",
		ReferrerPolicy:            "same-origin",
		CrossOriginEmbedderPolicy: "unsafe-none",
	}))
	s.app.Use(refuseEncodedBodies)
	// The fastest level: pages are a few KB of HTML, where it saves nearly
	// as many bytes as the default level at a fraction of the CPU (the
	// default was an eighth of a lesson page's cost).
	s.app.Use(compress.New(compress.Config{Level: compress.LevelBestSpeed}))
	s.app.Use("/static", filesystem.New(filesystem.Config{
		Root:   fsHTTP(mustSub(d.Web, "static")),
		MaxAge: 365 * 24 * 3600,
	}))
	s.registerOpsRoutes()
	s.app.Use(s.authenticate)
	s.app.Use(s.checkCSRF)
	s.registerRoutes()
	s.app.Use(func(c *fiber.Ctx) error {
		return academy.Errorf(academy.ENOTFOUND, "页面不存在 / Page not found.")
	})
	return s, nil
}

// App exposes the Fiber app for tests (app.Test) and benchmarks.
func (s *Server) App() *fiber.App { return s.app }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(ln) }

// Shutdown stops accepting connections and waits for in-flight requests, at
// most timeout.
func (s *Server) Shutdown(timeout time.Duration) error { return s.app.ShutdownWithTimeout(timeout) }

func (s *Server) logPanic(c *fiber.Ctx, e any) {
	s.Logger.Error("panic", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "panic", e)
}

func (s *Server) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	s.logRequest(c, c.Method(), c.Path(), start)
	return err
}

// handleUnrouted is Fiber's error handler. Most errors are answered inside
// the middleware (renderErrors), where they are logged and counted; the
// ones that reach this handler without a request id never went through the
// middleware at all: fasthttp refused the request while reading it (a body
// over the limit, headers too large). They get an id, a log line and a
// count here.
func (s *Server) handleUnrouted(c *fiber.Ctx, err error) error {
	if requestID(c) != "" {
		return s.handleError(c, err)
	}
	start := time.Now()
	id := requestid.ConfigDefault.Generator()
	c.Locals(requestid.ConfigDefault.ContextKey, id)
	c.Set(fiber.HeaderXRequestID, id)
	herr := s.handleError(c, err)
	method, path := c.Method(), c.Path()
	if fe := (*fiber.Error)(nil); errors.As(err, &fe) && fe.Code == fiber.StatusRequestHeaderFieldsTooLarge {
		// fasthttp dropped the request line with the headers; Fiber's
		// defaults (GET /) would name a request that was never made.
		method, path = "", ""
	}
	s.logRequest(c, method, path, start)
	s.metrics.observe(c, start)
	return herr
}

func (s *Server) logRequest(c *fiber.Ctx, method, path string, start time.Time) {
	level := slog.LevelInfo
	if c.Response().StatusCode() >= 500 {
		level = slog.LevelError
	}
	ctx := c.UserContext()
	h := s.Logger.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	// The record is made here rather than by Logger.Log, which asks the
	// runtime for its caller's frame (a source nobody logs) and boxes each
	// value: on a lesson page that was a tenth of the log line's cost.
	now := time.Now()
	r := slog.NewRecord(now, level, "request", 0)
	r.AddAttrs(slog.String("request_id", requestID(c)), slog.String("method", method), slog.String("path", path),
		slog.Int("status", c.Response().StatusCode()), slog.Int64("duration_ms", now.Sub(start).Milliseconds()),
		slog.String("ip", clientIP(c)))
	if u := currentUser(c); u != nil {
		r.AddAttrs(slog.String("user", u.ID))
	}
	_ = h.Handle(ctx, r)
}

func (s *Server) renderErrors(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return s.handleError(c, err)
	}
	return nil
}

// refuseEncodedBodies answers 415 to a request whose body is compressed (any
// Content-Encoding but identity). The body limit counts the bytes received,
// so a small compressed body could inflate far beyond it, and parts of the
// stack inflate on their own: Fiber's Ctx.Body follows every stacked
// encoding, fasthttp's multipart reader gunzips. Nobody needs to upload
// compressed forms or JSON here, so the cheapest defence is to take none.
// Handlers read bodies with Ctx.BodyRaw all the same.
func refuseEncodedBodies(c *fiber.Ctx) error {
	encoded := false
	c.Request().Header.VisitAll(func(k, v []byte) {
		if !strings.EqualFold(string(k), fiber.HeaderContentEncoding) {
			return
		}
		for _, enc := range strings.Split(string(v), ",") {
			if enc = strings.TrimSpace(enc); enc != "" && !strings.EqualFold(enc, "identity") {
				encoded = true
			}
		}
	})
	if encoded {
		return fiber.NewError(fiber.StatusUnsupportedMediaType,
			"请求内容不能压缩（Content-Encoding），请发送未压缩的请求体 / Content-Encoding is not accepted: send the request body uncompressed (Content-Encoding: identity or none).")
	}
	return c.Next()
}

func proxyStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestid.ConfigDefault.ContextKey).(string)
	return id
}

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // only with an invalid literal dir name
	}
	return sub
}
