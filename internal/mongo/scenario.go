package mongo

import (
	"context"
	"fmt"
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

func (s *RunService) index(ctx context.Context, r *academy.Run) error {
	sum := academy.RunSummary{ID: r.ID, Scenario: r.Scenario, State: r.State, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Percent: r.Percent, Passed: r.Passed}
	err := upsert(func() error {
		_, err := s.db.c("run_index").UpdateOne(ctx, bson.M{"_id": r.Username}, bson.M{"$set": bson.M{"runs." + r.ID: sum}}, options.UpdateOne().SetUpsert(true))
		return err
	})
	return FormatError(err)
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

// SaveRun writes version r.Version; the unique marker "<id>#<version>"
// refuses a second writer of the same version (a double click).
func (s *RunService) SaveRun(ctx context.Context, r *academy.Run) error {
	if _, err := s.db.c("run_versions").InsertOne(ctx, bson.M{"_id": fmt.Sprintf("%s#%d", r.ID, r.Version)}); err != nil {
		if academy.ErrorCode(FormatError(err)) == academy.ECONFLICT {
			return academy.Errorf(academy.ECONFLICT, "演练记录已更新,请刷新 / The run changed meanwhile; reload.")
		}
		return FormatError(err)
	}
	if _, err := s.db.c("runs").ReplaceOne(ctx, bson.M{"_id": r.ID}, r); err != nil {
		return FormatError(err)
	}
	return s.index(ctx, r)
}

// ListRuns returns a learner's run summaries, newest first.
// ListFinishedRuns reads the finished runs of many learners (a scan: it
// serves the team dashboard, not a learner's page).
func (s *RunService) ListFinishedRuns(ctx context.Context, usernames []string) ([]*academy.Run, error) {
	cur, err := s.db.c("runs").Find(ctx, bson.M{"username": bson.M{"$in": usernames}, "state": academy.RunFinished})
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*academy.Run
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// ListRunsOf reads the run index of many learners in one query.
func (s *RunService) ListRunsOf(ctx context.Context, usernames []string) (map[string][]academy.RunSummary, error) {
	cur, err := s.db.c("run_index").Find(ctx, bson.M{"_id": bson.M{"$in": usernames}})
	if err != nil {
		return nil, FormatError(err)
	}
	var idx []struct {
		User string                        `bson:"_id"`
		Runs map[string]academy.RunSummary `bson:"runs"`
	}
	if err := cur.All(ctx, &idx); err != nil {
		return nil, FormatError(err)
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
	var idx struct {
		Runs map[string]academy.RunSummary `bson:"runs"`
	}
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
