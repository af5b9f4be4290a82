package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/deskrules"
	"github.com/academy/academy/internal/ferret"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/password"
	"github.com/academy/academy/internal/quality"
)

// store is an open database with the services built on it.
type store struct {
	db          *mongo.DB
	ferret      *ferret.Server
	accounts    *academy.Accounts
	library     *academy.Library
	learning    *academy.Learning
	examiner    *academy.Examiner
	desk        *academy.Desk
	calendars   *academy.Calendars
	deskRules   *deskrules.Service
	cases       *mongo.CaseStore
	scenarios   *mongo.ScenarioService
	coach       *academy.Coach
	assignments *mongo.AssignmentService
	programs    *mongo.ProgramService
	certs       *mongo.CertStore
	outbox      *mongo.Outbox
	notify      *mongo.Notify
	counters    *mongo.Counters
	quality     *quality.Service
	// writer is the writer lease, held on a server that is not MongoDB.
	writer *mongo.Lease
}

// openStore connects to MongoDB, or starts the embedded FerretDB when no URI
// is configured.
func openStore(ctx context.Context, cfg *Config, logger *slog.Logger) (*store, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	st := &store{}
	uri, opts := cfg.MongoURI, []mongo.Option(nil)
	if uri == "" {
		srv, err := ferret.Start(cfg.DataDir, ferret.Sync(cfg.Sync), logger)
		if err != nil {
			return nil, err
		}
		st.ferret, uri = srv, srv.URI()
		opts = append(opts, mongo.SingleWriter())
	}
	db, err := mongo.Open(ctx, uri, cfg.DBName, opts...)
	if err != nil {
		st.close()
		return nil, err
	}
	st.db = db
	if cfg.MongoURI != "" {
		if st.writer, err = checkServer(ctx, db, cfg, logger); err != nil {
			st.close()
			return nil, err
		}
	}
	if st.ferret != nil {
		if err := st.ferret.IndexIDs(cfg.DBName); err != nil {
			st.close()
			return nil, err
		}
	}
	ttl := academy.DefaultCacheTTL
	if st.ferret != nil {
		ttl = academy.SoleCacheTTL
	}
	users := academy.NewCachedUsers(mongo.NewUserService(db), ttl, time.Now)
	sessions := academy.NewCachedSessions(mongo.NewSessionService(db), ttl, time.Now)
	st.accounts, err = academy.NewAccounts(users, sessions,
		mongo.NewSiteService(db), mongo.NewAuditService(db), password.New(), time.Now)
	if err != nil {
		st.close()
		return nil, err
	}
	st.accounts.Links = mongo.NewPasswordLinkService(db)
	st.accounts.Zone = cfg.Zone
	st.library = &academy.Library{Courses: mongo.NewCourseService(db), Quizzes: mongo.NewQuizService(db), Now: time.Now}
	var attempts academy.AttemptService = mongo.NewAttemptService(db)
	if st.ferret != nil {
		attempts = academy.NewCachedAttempts(attempts, academy.SoleCacheTTL, time.Now)
	}
	st.examiner = &academy.Examiner{Attempts: attempts, Now: time.Now, Zones: st.accounts}
	st.learning = &academy.Learning{Progress: academy.NewCachedProgress(mongo.NewProgressService(db), ttl, time.Now), Now: time.Now}
	st.assignments = mongo.NewAssignmentService(db)
	live := mongo.NewDeskStore(db)
	st.calendars = academy.NewCalendars(mongo.NewCalendarStore(db), st.accounts.Sites, mongo.NewAuditService(db), time.Now)
	st.calendars.Tickets, live.Calendars = live, st.calendars
	st.deskRules = &deskrules.Service{Store: mongo.NewDeskRulesStore(db), Now: time.Now, Sites: st.accounts.Sites}
	st.desk = &academy.Desk{Live: live, Sandboxes: mongo.NewSandboxStore(db), Audit: mongo.NewAuditService(db), Now: time.Now, Zones: st.accounts, Calendars: st.calendars,
		Rules: st.deskRules}
	st.cases = mongo.NewCaseStore(db)
	st.scenarios = mongo.NewScenarioService(db)
	st.coach = &academy.Coach{Runs: mongo.NewRunService(db), Desk: st.desk, Now: time.Now}
	st.programs = mongo.NewProgramService(db)
	st.certs = mongo.NewCertStore(db)
	st.outbox = mongo.NewOutbox(db)
	st.notify = mongo.NewNotify(db)
	st.counters = mongo.NewCounters(db)
	st.quality = &quality.Service{Store: mongo.NewQualityStore(db), Tickets: live, Rules: st.deskRules, Calendars: st.calendars, Now: time.Now, Logger: logger}
	st.desk.Finished = st.quality
	return st, nil
}

// checkServer logs what the server at --mongo-uri is, and on one whose
// updates are not atomic takes the writer lease: correctness across
// instances rests on each write to a document being atomic on the server
// (there is no write queue between processes), so there one instance
// writes at a time unless the operator accepts lost updates.
func checkServer(ctx context.Context, db *mongo.DB, cfg *Config, logger *slog.Logger) (*mongo.Lease, error) {
	srv, err := db.Server(ctx)
	if err != nil {
		return nil, err
	}
	logger.Info("database server", "server", srv.String())
	switch {
	case srv.Supported():
		return nil, nil
	case srv.Atomic():
		logger.Warn("database server is older than MongoDB 6.0, which the app is tested with; upgrade it", "server", srv.String())
		return nil, nil
	case cfg.AllowLostUpdates:
		logger.Warn("database server is not MongoDB and does not update a document atomically; several instances may be writing (--allow-lost-updates), so two of them can both be told they won the same change and one write is lost",
			"server", srv.String())
		return nil, nil
	}
	lease, err := db.HoldWriter(ctx)
	var held *mongo.LeaseHeldError
	if errors.As(err, &held) {
		return nil, fmt.Errorf("the database server is %s, not MongoDB, and does not update a document atomically: two instances writing at once can both be told they won the same change while one write is lost. "+
			"So one instance writes at a time, and another (%s, since %s) is writing to database %q now. Stop it first, or run several instances on MongoDB 6.0 or later; --allow-lost-updates runs anyway",
			srv.Product+" "+srv.Version, held.Holder, held.Since.UTC().Format(time.RFC3339), cfg.DBName)
	} else if err != nil {
		return nil, err
	}
	// A command holds the lease for its few seconds and says nothing
	// more than its result; the operator of a server needs telling.
	level := slog.LevelInfo
	if cfg.Serving {
		level = slog.LevelWarn
	}
	logger.Log(ctx, level, "database server is not MongoDB and does not update a document atomically: this instance is its only writer, and others refuse to start until it stops; run several instances on MongoDB 6.0 or later",
		"server", srv.String())
	return lease, nil
}

func (st *store) close() {
	if st.db != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if st.writer != nil {
			_ = st.writer.Release(ctx) // or it expires
		}
		_ = st.db.Close(ctx)
	}
	if st.ferret != nil {
		_ = st.ferret.Stop()
	}
}
