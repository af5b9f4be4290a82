package mongo

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// ScenarioService stores scenarios, one document each.
type ScenarioService struct{ db *DB }

var _ academy.ScenarioService = (*ScenarioService)(nil)

// NewScenarioService returns the scenario store.
func NewScenarioService(db *DB) *ScenarioService { return &ScenarioService{db: db} }

// ListScenarios reads every scenario.
func (s *ScenarioService) ListScenarios(ctx context.Context) ([]*academy.Scenario, error) {
	cur, err := s.db.c("scenarios").Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*academy.Scenario
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// SaveScenario creates or replaces a scenario; only the importer writes them.
func (s *ScenarioService) SaveScenario(ctx context.Context, sc *academy.Scenario) error {
	_, err := s.db.c("scenarios").ReplaceOne(ctx, bson.M{"_id": sc.Slug}, sc, options.Replace().SetUpsert(true))
	return FormatError(err)
}

// SetScenarioStatus archives or reactivates a scenario.
func (s *ScenarioService) SetScenarioStatus(ctx context.Context, slug, status string) error {
	_, err := s.db.c("scenarios").UpdateOne(ctx, bson.M{"_id": slug}, bson.M{"$set": bson.M{"status": status}})
	return FormatError(err)
}

// RunService stores scenario runs and, per learner, their summaries.
type RunService struct{ db *DB }

var _ academy.RunService = (*RunService)(nil)

// NewRunService returns the run store.
func NewRunService(db *DB) *RunService { return &RunService{db: db} }

// index lists r in its learner's run index and, once it is finished, its
// checks in their run_checks. Both are $sets keyed by the run's id, so
// writing them again is harmless.
func (s *RunService) index(ctx context.Context, r *academy.Run) error {
	if err := s.setRun(ctx, "run_index", r, r.Summary()); err != nil {
		return err
	}
	if checks, ok := r.Checks(); ok {
		return s.setRun(ctx, "run_checks", r, checks)
	}
	return nil
}

// setRun writes v under the run's id in its learner's document of coll.
func (s *RunService) setRun(ctx context.Context, coll string, r *academy.Run, v any) error {
	return FormatError(upsert(func() error {
		_, err := s.db.c(coll).UpdateOne(ctx, bson.M{"_id": r.Username}, bson.M{"$set": bson.M{"runs." + r.ID: v}}, options.UpdateOne().SetUpsert(true))
		return err
	}))
}

// InsertRun stores a new run and lists it for its learner.
func (s *RunService) InsertRun(ctx context.Context, r *academy.Run) error {
	if _, err := s.db.c("runs").InsertOne(ctx, r); err != nil {
		return FormatError(err)
	}
	return s.index(ctx, r)
}

// FindRun reads a run.
func (s *RunService) FindRun(ctx context.Context, id string) (*academy.Run, error) {
	var r academy.Run
	if err := s.db.c("runs").FindOne(ctx, bson.M{"_id": id}).Decode(&r); err != nil {
		return nil, FormatError(err)
	}
	return &r, nil
}

// SaveRun writes version r.Version over version r.Version-1, which refuses
// a second writer of the same version (a double click).
//
// The learner's run index is written again only once the run has
// finished: an active run's summary is the one InsertRun listed, and
// rewriting the learner's whole index with it on every step was a second
// write per answer.
func (s *RunService) SaveRun(ctx context.Context, r *academy.Run) error {
	if err := replaceVersion(ctx, s.db.c("runs"), r.ID, r.Version, r); err != nil {
		if academy.ErrorCode(err) == academy.ECONFLICT {
			return academy.Errorf(academy.ECONFLICT, "演练记录已更新,请刷新 / The run changed meanwhile; reload.")
		}
		return err
	}
	if r.State == academy.RunActive {
		return nil
	}
	return s.index(ctx, r)
}

// runChecksDoc is a learner's checks of finished runs, by run.
type runChecksDoc struct {
	Username string                       `bson:"_id"`
	Runs     map[string]academy.RunChecks `bson:"runs"`
}

// runIndexDoc is a learner's run index: a summary of each run, by run.
type runIndexDoc struct {
	User string                        `bson:"_id"`
	Runs map[string]academy.RunSummary `bson:"runs"`
}

// ListRunChecks reads the checks of the finished runs of many learners,
// one small document per learner.
func (s *RunService) ListRunChecks(ctx context.Context, usernames []string) (map[string][]academy.RunChecks, error) {
	docs, err := findIDs(ctx, s.db.c("run_checks"), usernames, func(d runChecksDoc) string { return d.Username })
	if err != nil {
		return nil, err
	}
	out := map[string][]academy.RunChecks{}
	for _, d := range docs {
		for _, rc := range d.Runs {
			out[d.Username] = append(out[d.Username], rc)
		}
	}
	return out, nil
}

// backfillRunChecks writes the checks of runs finished before run_checks
// existed: a scan of every finished run, once.
func backfillRunChecks(ctx context.Context, db *DB) error {
	cur, err := db.c("runs").Find(ctx, bson.M{"state": academy.RunFinished})
	if err != nil {
		return FormatError(err)
	}
	defer cur.Close(ctx)
	s := NewRunService(db)
	for cur.Next(ctx) {
		var r academy.Run
		if err := cur.Decode(&r); err != nil {
			return FormatError(err)
		}
		if err := s.index(ctx, &r); err != nil {
			return err
		}
	}
	return FormatError(cur.Err())
}

// ListRunsOf reads the run index of many learners in one query.
func (s *RunService) ListRunsOf(ctx context.Context, usernames []string) (map[string][]academy.RunSummary, error) {
	idx, err := findIDs(ctx, s.db.c("run_index"), usernames, func(d runIndexDoc) string { return d.User })
	if err != nil {
		return nil, err
	}
	out := map[string][]academy.RunSummary{}
	for _, i := range idx {
		for _, r := range i.Runs {
			out[i.User] = append(out[i.User], r)
		}
		sortRuns(out[i.User])
	}
	return out, nil
}

func (s *RunService) ListRuns(ctx context.Context, username string) ([]academy.RunSummary, error) {
	var idx runIndexDoc
	err := s.db.c("run_index").FindOne(ctx, bson.M{"_id": academy.UserID(username)}).Decode(&idx)
	if err != nil && academy.ErrorCode(FormatError(err)) != academy.ENOTFOUND {
		return nil, FormatError(err)
	}
	out := make([]academy.RunSummary, 0, len(idx.Runs))
	for _, r := range idx.Runs {
		out = append(out, r)
	}
	sortRuns(out)
	return out, nil
}

func sortRuns(rs []academy.RunSummary) {
	slices.SortFunc(rs, func(a, b academy.RunSummary) int { return b.StartedAt.Compare(a.StartedAt) })
}
