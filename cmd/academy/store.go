package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/ferret"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/password"
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
	cases       *mongo.CaseStore
	scenarios   *mongo.ScenarioService
	coach       *academy.Coach
	assignments *mongo.AssignmentService
	programs    *mongo.ProgramService
	certs       *mongo.CertStore
	outbox      *mongo.Outbox
	notify      *mongo.Notify
	counters    *mongo.Counters
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
	if st.ferret != nil {
		if err := st.ferret.IndexIDs(cfg.DBName); err != nil {
			st.close()
			return nil, err
		}
	}
	users := academy.NewCachedUsers(mongo.NewUserService(db), academy.DefaultCacheTTL, time.Now)
	sessions := academy.NewCachedSessions(mongo.NewSessionService(db), academy.DefaultCacheTTL, time.Now)
	st.accounts, err = academy.NewAccounts(users, sessions,
		mongo.NewSiteService(db), mongo.NewAuditService(db), password.New(), time.Now)
	if err != nil {
		st.close()
		return nil, err
	}
	st.accounts.Links = mongo.NewPasswordLinkService(db)
	st.accounts.Zone = cfg.Zone
	st.library = &academy.Library{Courses: mongo.NewCourseService(db), Quizzes: mongo.NewQuizService(db), Now: time.Now}
	st.examiner = &academy.Examiner{Attempts: mongo.NewAttemptService(db), Now: time.Now, Zones: st.accounts}
	st.learning = &academy.Learning{Progress: academy.NewCachedProgress(mongo.NewProgressService(db), academy.DefaultCacheTTL, time.Now), Now: time.Now}
	st.assignments = mongo.NewAssignmentService(db)
	st.desk = &academy.Desk{Live: mongo.NewDeskStore(db), Sandboxes: mongo.NewSandboxStore(db), Audit: mongo.NewAuditService(db), Now: time.Now, Zones: st.accounts}
	st.cases = mongo.NewCaseStore(db)
	st.scenarios = mongo.NewScenarioService(db)
	st.coach = &academy.Coach{Runs: mongo.NewRunService(db), Desk: st.desk, Now: time.Now}
	st.programs = mongo.NewProgramService(db)
	st.certs = mongo.NewCertStore(db)
	st.outbox = mongo.NewOutbox(db)
	st.notify = mongo.NewNotify(db)
	st.counters = mongo.NewCounters(db)
	return st, nil
}

func (st *store) close() {
	if st.db != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = st.db.Close(ctx)
	}
	if st.ferret != nil {
		_ = st.ferret.Stop()
	}
}
