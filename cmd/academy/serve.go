package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/authz"
	"github.com/academy/academy/internal/badge"
	"github.com/academy/academy/internal/catalog"
	"github.com/academy/academy/internal/http"
	"github.com/academy/academy/internal/locale"
	"github.com/academy/academy/internal/markdown"
	"github.com/academy/academy/internal/notify"
	"github.com/academy/academy/internal/notify/channels"
	"github.com/academy/academy/internal/quality"
	"github.com/academy/academy/internal/xapi"
	"github.com/academy/academy/web"
)

// shutdownGrace bounds how long in-flight requests may take after a signal.
const shutdownGrace = 10 * time.Second

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("academy serve", "Run the web server. Without --mongo-uri it starts the embedded database in --data.", stdout)
	cfg, err := commonFlags(fs)
	if err != nil {
		return err
	}
	cfg.Serving = true
	contentDir := contentFlags(fs)
	fs.StringVar(&cfg.TZ, "tz", cfg.TZ, "the company's time zone (IANA name such as Asia/Shanghai): every time shown, exported or compared with a working day uses it, or the zone of the viewer's site; the server's own zone is never used (env ACADEMY_TZ)")
	publicURLFlag := fs.String("public-url", envOr("ACADEMY_PUBLIC_URL", ""), "address people reach the site at, for certificate links, QR codes, credentials and xAPI ids; recorded in the database at its first start, and every instance must give the same; required with --mongo-uri until recorded (env ACADEMY_PUBLIC_URL; default the recorded one, or http://ADDR with the embedded database)")
	changePublicURL := fs.Bool("change-public-url", false, "record --public-url as the site's new address in place of the recorded one (stop every instance first: links and ids issued before keep the old address)")
	lrs := &xapi.Client{}
	fs.StringVar(&lrs.Endpoint, "lrs-endpoint", envOr("ACADEMY_LRS_ENDPOINT", ""), "xAPI LRS endpoint; empty keeps statements in the outbox for admins (env ACADEMY_LRS_ENDPOINT)")
	fs.StringVar(&lrs.Username, "lrs-username", envOr("ACADEMY_LRS_USERNAME", ""), "LRS basic-auth user (env ACADEMY_LRS_USERNAME)")
	lrs.Password = envOr("ACADEMY_LRS_PASSWORD", "") // a secret: environment only, never a flag in ps
	smtpURL := fs.String("smtp-url", envOr("ACADEMY_SMTP_URL", ""), "SMTP server for notification e-mail, e.g. smtp://academy@mail.example.com:587?from=academy@example.com (STARTTLS) or smtps://host:465; the password comes from ACADEMY_SMTP_PASSWORD only; empty sends no e-mail (env ACADEMY_SMTP_URL)")
	pprofAddr := fs.String("pprof-addr", envOr("ACADEMY_PPROF_ADDR", ""), "serve Go profiles (/debug/pprof/) on this address, e.g. 127.0.0.1:6060; keep it off public interfaces (env ACADEMY_PPROF_ADDR)")
	dashAgeFlag := fs.String("dashboard-max-age", envOr("ACADEMY_DASHBOARD_MAX_AGE", "30s"), "how long the team dashboards reuse the evidence they gathered (a scan of every learner's records) before gathering it again behind the next view; 0 gathers it for every view (env ACADEMY_DASHBOARD_MAX_AGE)")
	metricsToken := fs.String("metrics-token", envOr("ACADEMY_METRICS_TOKEN", ""), "bearer token the metrics scraper must send to /metrics (at least 16 characters, no spaces); empty serves /metrics to clients on this machine only. Prefer the environment variable: flags show in process lists (env ACADEMY_METRICS_TOKEN)")
	trustedFlag := fs.String("trusted-proxies", envOr("ACADEMY_TRUSTED_PROXIES", ""), "comma-separated CIDRs of the proxies or load balancers in front of the server, e.g. 10.0.0.0/8; only requests from them have X-Forwarded-For / X-Real-IP (the client address, for the login throttle and the audit log) and X-Forwarded-Host / -Proto believed; empty believes no one (env ACADEMY_TRUSTED_PROXIES)")
	oidcOpts := newOIDCFlags(fs)
	workOpts, err := newWorkFlags(fs)
	if err != nil {
		return err
	}
	noImport := fs.Bool("no-import", envOr("ACADEMY_NO_IMPORT", "") != "", "do not import the content directory at start (env ACADEMY_NO_IMPORT=1)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	givenURL, err := checkPublicURL(*publicURLFlag)
	if err != nil {
		return err
	}
	if *changePublicURL && givenURL == "" {
		return fmt.Errorf("--change-public-url: give the new address with --public-url")
	}
	if t := *metricsToken; t != "" && (len(t) < 16 || strings.IndexFunc(t, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0) {
		return fmt.Errorf("--metrics-token: want at least 16 characters without spaces or control characters")
	}
	dashAge, err := time.ParseDuration(*dashAgeFlag)
	if err != nil || dashAge < 0 {
		return fmt.Errorf("--dashboard-max-age %q: want a duration such as 30s, 2m or 0", *dashAgeFlag)
	}
	// A secret: environment only, never a flag in ps.
	oidcCfg, err := oidcOpts.config(givenURL, envOr("ACADEMY_OIDC_CLIENT_SECRET", ""))
	if err != nil {
		return err
	}
	workCfg, err := workOpts.config(givenURL, func(name string) string { return envOr(name, "") })
	if err != nil {
		return err
	}
	// A secret: environment only, never a flag in ps.
	mailer, err := newMailSender(*smtpURL, envOr("ACADEMY_SMTP_PASSWORD", ""))
	if err != nil {
		return err
	}
	trusted, err := http.ParseTrustedProxies(*trustedFlag)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %v", err)
	}
	logOut := newLogBuffer(stderr, 100*time.Millisecond)
	defer logOut.Flush()
	logger := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: slog.LevelInfo}))
	tuneGC()

	// Listen before opening the store, so a taken port fails fast.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %v", cfg.Addr, err)
	}
	defer ln.Close()
	if *pprofAddr != "" {
		stopProfiles, err := serveProfiles(*pprofAddr)
		if err != nil {
			return err
		}
		defer stopProfiles()
	}

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	st, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer st.close()
	publicURL, err := canonicalURL(ctx, st.db, cfg, givenURL, *changePublicURL, ln.Addr().String(), logger)
	if err != nil {
		return err
	}

	if !*noImport {
		// A content error stops the start: serving half-imported content
		// would be worse than not starting.
		if _, err := importContent(ctx, st, *contentDir, false, stdout); err != nil {
			return err
		}
	}
	if cfg.Demo {
		if err := seedDemo(ctx, st, stdout); err != nil {
			return err
		}
	}
	if err := checkCreateSites(ctx, st.accounts.Sites, oidcCfg, workCfg); err != nil {
		return err
	}
	if oidcCfg != nil {
		oidcCfg.States = st.counters
	}
	for _, wl := range workCfg {
		wl.States = st.counters
	}
	md := markdown.New()
	cat := catalog.New(st.library.Courses, st.library.Quizzes, st.scenarios, st.programs, md, logger)
	if err := cat.Refresh(ctx, true); err != nil {
		return fmt.Errorf("load courses: %w", err)
	}
	go cat.Run(ctx, 2*time.Second)
	az, err := authz.New(nil)
	if err != nil {
		return err
	}
	key, err := st.certs.IssuerKey(ctx)
	if err != nil {
		return fmt.Errorf("issuer key: %w", err)
	}
	issuer := &badge.Issuer{ID: strings.TrimRight(publicURL, "/") + "/issuer", Name: "物业客服学院", Key: key}
	certifier := newCertifier(st, cat, az, publicURL)
	certifier.Signer = &badge.Certificates{Issuer: issuer, Base: publicURL}
	locales, err := locale.Load(mustLocales())
	if err != nil {
		return err
	}
	// The header's unread count is read on every signed-in page.
	notifier := &notify.Service{Store: notify.NewCachedUnread(st.notify, academy.DefaultCacheTTL, time.Now), People: notify.Directory{Accounts: st.accounts}, Now: time.Now, Durations: locales.Duration, Email: *smtpURL != ""}
	// An agent who keeps failing a check is assigned the scenario that
	// teaches it and told why.
	st.quality.Assignments, st.quality.Training, st.quality.Notify = st.assignments, certifier, notifier
	// A refresher may be limited to what the holder fails at work.
	certifier.LiveWork = st.quality
	st.quality.Content = func() (map[string]*academy.Course, map[string]*academy.Scenario) {
		sn := cat.Snapshot()
		return sn.Domain(), sn.Scenarios
	}
	board := &academy.TeamBoard{Certifier: certifier, Sites: st.accounts.Sites, Users: st.accounts.Users, Logger: logger, MaxAge: dashAge}
	relay := &notify.Relay{Service: notifier, Channels: channels.New(mailer, publicURL), ID: relayID()}
	srv, err := http.New(http.Deps{Accounts: st.accounts, Authz: az, DB: st.db, Library: st.library, Learning: st.learning, Examiner: st.examiner, Desk: st.desk, Calendars: st.calendars, DeskRules: st.deskRules, Cases: st.cases, Coach: st.coach,
		Assignments: st.assignments, Catalog: cat, Markdown: md, Logger: logger, Web: web.FS, Version: version,
		Certifier: certifier, Issuer: issuer, Outbox: st.outbox, PublicURL: publicURL, Programs: st.programs, TeamBoard: board, Throttle: st.counters, Quality: st.quality,
		MetricsToken: *metricsToken, TrustedProxies: trusted, OIDC: oidcCfg, WorkLogins: workCfg, Notify: notifier, NotifyCounts: relay.Counts})
	if err != nil {
		return err
	}
	// Lookups check session expiry themselves; the sweep only keeps the
	// collection small.
	go every(ctx, 10*time.Minute, logger, "expired sessions removed", func(ctx context.Context) (int, error) {
		return st.accounts.Sessions.DeleteExpiredSessions(ctx, st.accounts.Now())
	})
	// Links check their expiry when used; one handed out and never used
	// would otherwise stay.
	go every(ctx, time.Hour, logger, "expired set-password links removed", func(ctx context.Context) (int, error) {
		return st.accounts.Links.DeleteExpiredPasswordLinks(ctx, st.accounts.Now())
	})
	go every(ctx, 10*time.Minute, logger, "expired login counts removed", func(ctx context.Context) (int, error) {
		return st.counters.DeleteExpired(ctx, st.accounts.Now())
	})
	// Attempts whose time ran out are submitted even if the learner never
	// comes back; every access checks the deadline too.
	go every(ctx, 30*time.Second, logger, "attempts closed by the sweep", st.examiner.Sweep)
	escalations := &notify.Escalations{Service: notifier, Tickets: st.desk.Live, Accounts: st.accounts, Within: time.Hour}
	go every(ctx, time.Minute, logger, "overdue tickets escalated", func(ctx context.Context) (int, error) {
		done, err := st.desk.Escalate(ctx)
		// Managers hear of every ticket escalated in the last hour: a
		// no-op for those told, the repair for a crash in between.
		if _, nerr := escalations.Notify(ctx); nerr != nil {
			err = errors.Join(err, nerr)
		}
		return len(done), err
	})
	// Closed tickets are recorded as they close; the daily sweep records
	// any a failure left without one (at start too, after a crash).
	go func() {
		if n, err := st.quality.Sweep(ctx); err != nil {
			logger.Warn("quality sweep", "err", err)
		} else if n > 0 {
			logger.Info("quality records written by the sweep", "count", n)
		}
		every(ctx, 24*time.Hour, logger, "quality records written by the sweep", st.quality.Sweep)
	}()
	// Every instance runs the relay; claims keep them from sending one
	// notification twice. At start it first re-enqueues the news of the
	// last day's assignments, for a crash between one and its messages.
	go func() {
		if _, err := srv.CatchUpAssigned(ctx); err != nil {
			logger.Warn("notify: catch up on new assignments", "err", err)
		}
		if _, err := relay.Flush(ctx); err != nil {
			logger.Warn("notify: send", "err", err)
		}
		every(ctx, 5*time.Second, logger, "notifications sent", relay.Flush)
	}()
	// Every instance purges what the retention periods have passed
	// (notify.KeepSent and the others), at start and then daily: each
	// removal is conditional on its own document, so two instances at
	// once remove each thing once.
	go func() {
		if n, err := notifier.Purge(ctx); err != nil {
			logger.Warn("notify: purge", "err", err)
		} else if n > 0 {
			logger.Info("old notifications removed", "count", n)
		}
		every(ctx, 24*time.Hour, logger, "old notifications removed", notifier.Purge)
	}()
	// Every instance scans for reminders (SLA marks, due work, expiring
	// certificates) and digests from the shared scan mark; deterministic
	// keys make a window scanned twice enqueue nothing new.
	scheduler := &notify.Scheduler{Notify: notifier, Tickets: st.desk.Live.(notify.TicketMarks), Marks: st.notify, Accounts: st.accounts,
		Assignments: st.assignments, Certifier: certifier, Team: board, Flags: srv, PublicURL: publicURL, Now: time.Now}
	go every(ctx, time.Minute, logger, "reminders enqueued", scheduler.Scan)
	if lrs.Endpoint != "" {
		// Statements wait in the outbox (with backoff) while the LRS is down.
		go every(ctx, 5*time.Second, logger, "xAPI statements sent", (&xapi.Relay{Outbox: st.outbox, Client: lrs}).Flush)
	}

	go func() {
		if err := board.Warm(ctx); err != nil {
			logger.Warn("gather team evidence", "err", err)
		}
		if board.MaxAge > 0 {
			every(ctx, board.KeepFreshEvery(), logger, "team evidence gathered", board.KeepFresh)
		}
	}()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// What the start logged (the store, the lease, the content) comes
	// before the line that tells a watcher the server is up.
	_ = logOut.Flush()
	fmt.Fprintf(stdout, "Academy is running at http://%s (press Ctrl+C to stop)\n", ln.Addr())
	var lost <-chan struct{} // nil, which never fires, without a lease
	if st.writer != nil {
		lost = st.writer.Lost()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	case <-lost:
		// Another instance took over as the one writer while this one
		// could not renew its lease: writing on would race it.
		logger.Error("another instance took over this database's writer lease; stopping", "db", cfg.DBName)
		if err := srv.Shutdown(shutdownGrace); err != nil {
			logger.Warn("shutdown did not finish in time", "err", err)
		}
		return fmt.Errorf("another instance took over as the one writer of database %q (the server is not MongoDB); stopped", cfg.DBName)
	}
	logger.Info("shutting down", "grace", shutdownGrace.String())
	if err := srv.Shutdown(shutdownGrace); err != nil {
		logger.Warn("shutdown did not finish in time", "err", err)
	}
	return nil
}

func seedDemo(ctx context.Context, st *store, out io.Writer) error {
	created, err := academy.SeedDemo(ctx, st.accounts)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := seedDemoDesk(ctx, st); err != nil {
		return fmt.Errorf("demo desk: %w", err)
	}
	if len(created) == 0 {
		fmt.Fprintln(out, "Demo site 示范小区 is ready (accounts were printed at first start; reset a password with: academy user reset-password --username NAME --password-stdin).")
		return nil
	}
	fmt.Fprintln(out, "Demo site 示范小区 created. Accounts (shown once; keep them):")
	for _, a := range created {
		fmt.Fprintf(out, "  %-8s  username %-8s  password %s\n", a.Role, a.Username, a.Password)
	}
	return nil
}

// seedDemoDesk gives the demo site its residents and a fortnight of tickets,
// once: a site that already has a directory is left alone.
func seedDemoDesk(ctx context.Context, st *store) error {
	dir, err := st.desk.Live.FindDirectory(ctx, academy.DemoSite.ID)
	if err != nil || len(dir.Units) > 0 {
		return err
	}
	// The demo site's tickets count office hours in its zone, as a
	// ticket opened at its desk does, and the times their scripts type
	// (a promised visit) are its wall clock.
	zone := st.accounts.SiteZone(ctx, academy.DemoSite.ID)
	now := time.Now().In(zone)
	d, tickets := academy.DemoDesk(academy.DemoSite.ID, now)
	// A fortnight of closed repairs by the demo's agents, two of whom keep
	// failing a check: the sweep at start records them and sends those
	// two back to training, for the quality page to show.
	tickets = append(tickets, quality.DemoTickets(&d, academy.DemoSite.ID, len(tickets)+1, now, zone)...)
	for i := range tickets {
		tickets[i].TZ = zone.String()
	}
	if err := st.desk.Live.SaveDirectory(ctx, academy.DemoSite.ID, &d); err != nil {
		return err
	}
	if err := st.desk.Live.InsertTickets(ctx, tickets); err != nil {
		return err
	}
	// Later tickets continue after the seeded numbers.
	for range tickets {
		if _, err := st.desk.Live.NextNumber(ctx, academy.DemoSite.ID); err != nil {
			return err
		}
	}
	return nil
}

// newCertifier wires certification to the learning services, so that each
// finished course, quiz and scenario is recorded and checked for awards.
func newCertifier(st *store, cat *catalog.Catalog, az academy.Authorizer, publicURL string) *academy.Certifier {
	c := &academy.Certifier{Programs: cat, Progress: st.learning.Progress, Attempts: st.examiner.Attempts, Runs: st.coach.Runs,
		Certs: st.certs, Users: st.accounts.Users, Audit: st.accounts.Audit, Authz: az,
		Events: &xapi.Recorder{Base: publicURL, Queue: st.outbox}, Now: time.Now, Window: academy.DefaultExpiringWindow, Zones: st.accounts}
	st.learning.Outcomes, st.examiner.Outcomes, st.coach.Outcomes = c, c, c
	st.examiner.Programs, st.examiner.Progress, st.examiner.Audit = cat, st.learning.Progress, st.accounts.Audit
	return c
}

// tuneGC trades memory for CPU unless the operator chose (GOGC,
// GOMEMLIMIT): at Go's default the collector took a sixth of a lesson
// page's CPU, and collecting at 5× the live heap instead of 2× served 26 %
// more pages for about 80 MB more memory. The soft limit makes the
// collector work harder near 1 GiB rather than let the heap grow on.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}

// every runs job each interval until ctx ends, logging what it did; a
// failure is logged and the next tick tries again.
func every(ctx context.Context, interval time.Duration, logger *slog.Logger, did string, job func(context.Context) (int, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := job(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("background job failed; will retry", "job", did, "err", err)
			} else if n > 0 {
				logger.Info(did, "count", n)
			}
		}
	}
}

// relayID names this instance in notification claims: host and process.
func relayID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}
