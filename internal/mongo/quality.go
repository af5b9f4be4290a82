package mongo

import (
	"context"
	"errors"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/quality"
)

// QualityStore keeps quality records ("quality_records", one per closed
// live ticket), each agent's weeks ("quality_agent_weeks": counts and the
// records behind them) and the weekly counts the quality pages read
// ("quality_weeks", one small document per site and week with a copy of
// every agent's counts): a page reads one document per week by _id,
// whatever the number of tickets behind it.
type QualityStore struct{ db *DB }

var _ quality.Store = (*QualityStore)(nil)

// NewQualityStore returns the quality store of db.
func NewQualityStore(db *DB) *QualityStore { return &QualityStore{db: db} }

// agentKey makes a username a field name: usernames may hold ".", which
// a field path would read as nesting; "．" (a full-width stop) is not
// allowed in usernames, so the mapping is one to one.
func agentKey(username string) string { return strings.ReplaceAll(username, ".", "．") }

func agentName(key string) string { return strings.ReplaceAll(key, "．", ".") }

// InsertRecord stores a new record.
func (s *QualityStore) InsertRecord(ctx context.Context, r *quality.Record) error {
	_, err := s.db.c("quality_records").InsertOne(ctx, r)
	return FormatError(err)
}

// FindRecord reads the record of a ticket.
func (s *QualityStore) FindRecord(ctx context.Context, id string) (*quality.Record, error) {
	var r quality.Record
	if err := s.db.c("quality_records").FindOne(ctx, bson.M{"_id": id}).Decode(&r); err != nil {
		if err = FormatError(err); academy.ErrorCode(err) == academy.ENOTFOUND {
			return nil, academy.Errorf(academy.ENOTFOUND, "质检记录不存在 / No quality record for ticket %q.", id)
		}
		return nil, err
	}
	return &r, nil
}

// CountRecord adds a record to its agent's week once, then copies the
// agent's counts into the site's week. The agent's week lists the
// records it counts: on MongoDB one update that matches only a week
// without the record adds it atomically (a second count finds no such
// week, and its upsert hits the _id); on the embedded store the list is
// read and the week updated by _id while holding the write turn. The
// copy is a $set of the whole tally, which a retry repeats harmlessly;
// on MongoDB it only replaces a copy of fewer tickets, so two counts
// that race leave the fuller one.
func (s *QualityStore) CountRecord(ctx context.Context, r *quality.Record) error {
	inc := bson.M{"n": 1}
	push := bson.M{"tickets": r.ID}
	for _, c := range r.Checks {
		k := "checks." + quality.CheckKey(r.Type, c.Check)
		switch {
		case c.NotApplicable:
			inc[k+".na"] = 1
		case c.Passed:
			inc[k+".pass"] = 1
		default:
			inc[k+".fail"] = 1
			push["failed."+quality.CheckKey(r.Type, c.Check)] = r.ID
		}
	}
	for _, c := range r.Clocks {
		if c.Met {
			inc["clocks."+c.Clock+".pass"] = 1
		} else {
			inc["clocks."+c.Clock+".fail"] = 1
		}
	}
	if r.Satisfaction > 0 {
		inc["sat_sum"] = r.Satisfaction
		inc["sat_n"] = 1
	}
	update := bson.M{"$setOnInsert": bson.M{"site": r.Site, "agent": r.Agent, "week": r.Week}, "$push": push, "$inc": inc}
	awID := quality.AgentWeekID(r.Site, r.Agent, r.Week)
	agentWeeks, weeks := s.db.c("quality_agent_weeks"), s.db.c("quality_weeks")
	weekID, path := quality.WeekID(r.Site, r.Week), "agents."+agentKey(r.Agent)
	tallyOf := func() (*quality.Tally, error) {
		var t quality.Tally
		err := agentWeeks.Collection.FindOne(ctx, bson.M{"_id": awID}, options.FindOne().SetProjection(bson.M{"tickets": 0, "failed": 0})).Decode(&t)
		return &t, err
	}
	if agentWeeks.turn == nil {
		_, err := agentWeeks.Collection.UpdateOne(ctx, bson.M{"_id": awID, "tickets": bson.M{"$ne": r.ID}}, update, options.UpdateOne().SetUpsert(true))
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return FormatError(err)
		}
		t, err := tallyOf()
		if err != nil {
			return FormatError(err)
		}
		_, err = weeks.Collection.UpdateOne(ctx, bson.M{"_id": weekID, path + ".n": bson.M{"$not": bson.M{"$gte": t.N}}},
			bson.M{"$set": bson.M{path: t, "site": r.Site, "week": r.Week}}, options.UpdateOne().SetUpsert(true))
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return FormatError(err)
		}
	} else {
		// Both collections share the one write turn.
		_, err := inTurn(ctx, agentWeeks, func() (struct{}, error) {
			var cur struct {
				Tickets []string `bson:"tickets"`
			}
			err := agentWeeks.Collection.FindOne(ctx, bson.M{"_id": awID}, options.FindOne().SetProjection(bson.M{"tickets": 1})).Decode(&cur)
			if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
				return struct{}{}, err
			}
			if !slices.Contains(cur.Tickets, r.ID) {
				if _, err := agentWeeks.Collection.UpdateOne(ctx, bson.M{"_id": awID}, update, options.UpdateOne().SetUpsert(true)); err != nil {
					return struct{}{}, err
				}
			}
			t, err := tallyOf()
			if err != nil {
				return struct{}{}, err
			}
			_, err = weeks.Collection.UpdateOne(ctx, bson.M{"_id": weekID}, bson.M{"$set": bson.M{path: t, "site": r.Site, "week": r.Week}}, options.UpdateOne().SetUpsert(true))
			return struct{}{}, err
		})
		if err != nil {
			return FormatError(err)
		}
	}
	_, err := s.db.c("quality_records").UpdateOne(ctx, bson.M{"_id": r.ID}, bson.M{"$set": bson.M{"counted": true}})
	return FormatError(err)
}

// FindAgentWeeks reads an agent's weeks at a site, each by _id.
func (s *QualityStore) FindAgentWeeks(ctx context.Context, site, agent string, weeks []academy.Date) ([]*quality.AgentWeek, error) {
	var out []*quality.AgentWeek
	for _, w := range weeks {
		var aw quality.AgentWeek
		err := s.db.c("quality_agent_weeks").FindOne(ctx, bson.M{"_id": quality.AgentWeekID(site, agent, w)}).Decode(&aw)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		} else if err != nil {
			return nil, FormatError(err)
		}
		out = append(out, &aw)
	}
	return out, nil
}

type weekDoc struct {
	ID     string                    `bson:"_id"`
	Site   string                    `bson:"site"`
	Week   academy.Date              `bson:"week"`
	Agents map[string]*quality.Tally `bson:"agents"`
}

// FindWeeks reads the weeks of a site that have counts, each by _id.
// (Reading them at once was slower on the embedded store, measured: it
// decodes every document in Go, so the reads only compete for the CPU.)
func (s *QualityStore) FindWeeks(ctx context.Context, site string, weeks []academy.Date) ([]*quality.Week, error) {
	var out []*quality.Week
	for _, w := range weeks {
		var d weekDoc
		err := s.db.c("quality_weeks").FindOne(ctx, bson.M{"_id": quality.WeekID(site, w)}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		} else if err != nil {
			return nil, FormatError(err)
		}
		wk := &quality.Week{ID: d.ID, Site: d.Site, Week: d.Week, Agents: map[string]*quality.Tally{}}
		for k, t := range d.Agents {
			wk.Agents[agentName(k)] = t
		}
		out = append(out, wk)
	}
	return out, nil
}

// Unrecorded finds the closed live tickets without a record (every
// ticket has a summary; the open ones are listed apart) and the records
// left uncounted or unremedied. It reads three collections whole: the
// nightly sweep's work, never a page's.
func (s *QualityStore) Unrecorded(ctx context.Context) ([]academy.TicketSummary, []*quality.Record, error) {
	ids := func(coll string, filter bson.M) (map[string]bool, error) {
		cur, err := s.db.c(coll).Find(ctx, filter, options.Find().SetProjection(bson.M{"_id": 1}))
		if err != nil {
			return nil, FormatError(err)
		}
		var docs []struct {
			ID string `bson:"_id"`
		}
		if err := cur.All(ctx, &docs); err != nil {
			return nil, FormatError(err)
		}
		out := make(map[string]bool, len(docs))
		for _, d := range docs {
			out[d.ID] = true
		}
		return out, nil
	}
	open, err := ids("open_tickets", bson.M{})
	if err != nil {
		return nil, nil, err
	}
	recorded, err := ids("quality_records", bson.M{})
	if err != nil {
		return nil, nil, err
	}
	cur, err := s.db.c("ticket_summaries").Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{"_id": 1, "workspace": 1, "number": 1}))
	if err != nil {
		return nil, nil, FormatError(err)
	}
	var sums []academy.TicketSummary
	if err := cur.All(ctx, &sums); err != nil {
		return nil, nil, FormatError(err)
	}
	var tickets []academy.TicketSummary
	for _, t := range sums {
		if !open[t.ID] && !recorded[t.ID] && !academy.IsSandbox(t.Workspace) {
			tickets = append(tickets, t)
		}
	}
	cur, err = s.db.c("quality_records").Find(ctx, bson.M{"$or": bson.A{bson.M{"counted": false}, bson.M{"to_remedy": true}}})
	if err != nil {
		return nil, nil, FormatError(err)
	}
	var unfinished []*quality.Record
	if err := cur.All(ctx, &unfinished); err != nil {
		return nil, nil, FormatError(err)
	}
	return tickets, unfinished, nil
}

// Remedied clears a record's mark of failures still to be remedied.
func (s *QualityStore) Remedied(ctx context.Context, id string) error {
	_, err := s.db.c("quality_records").UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$unset": bson.M{"to_remedy": ""}})
	return FormatError(err)
}

// The company's remediation rules are one document.
const settingsID = "quality"

// FindSettings reads the company's remediation rules.
func (s *QualityStore) FindSettings(ctx context.Context) (*quality.Settings, error) {
	var st quality.Settings
	if err := s.db.c("quality_settings").FindOne(ctx, bson.M{"_id": settingsID}).Decode(&st); err != nil {
		return nil, FormatError(err)
	}
	return &st, nil
}

// SaveSettings stores the company's remediation rules.
func (s *QualityStore) SaveSettings(ctx context.Context, st *quality.Settings) error {
	doc := struct {
		ID                string `bson:"_id"`
		*quality.Settings `bson:",inline"`
	}{settingsID, st}
	_, err := s.db.c("quality_settings").ReplaceOne(ctx, bson.M{"_id": settingsID}, doc, options.Replace().SetUpsert(true))
	return FormatError(err)
}

// FindFlag reads an agent's flag for a check at a site.
func (s *QualityStore) FindFlag(ctx context.Context, id string) (*quality.Flag, error) {
	var f quality.Flag
	if err := s.db.c("quality_flags").FindOne(ctx, bson.M{"_id": id}).Decode(&f); err != nil {
		return nil, FormatError(err)
	}
	return &f, nil
}

// OpenFlag stores f, new or in place of prev (matched by when prev was
// raised): of two closes that race, one stores its flag and the other
// gets ECONFLICT. On the embedded store the compare and the replace
// happen within the write turn.
func (s *QualityStore) OpenFlag(ctx context.Context, f, prev *quality.Flag) error {
	c := s.db.c("quality_flags")
	if prev == nil {
		_, err := c.InsertOne(ctx, f)
		return FormatError(err)
	}
	ok, err := writeIf(ctx, c, f.ID, bson.M{"opened_at": prev.OpenedAt},
		func(cur *quality.Flag) bool { return cur.OpenedAt.Equal(prev.OpenedAt) },
		func(filter bson.M) (*mongo.UpdateResult, error) { return c.Collection.ReplaceOne(ctx, filter, f) })
	if err != nil {
		return err
	}
	if !ok {
		return academy.Errorf(academy.ECONFLICT, "质检标记 %s 已再次提出 / flag %s was raised again", f.ID, f.ID)
	}
	return nil
}

// SetFlagAssignment notes the assignment a flag made.
func (s *QualityStore) SetFlagAssignment(ctx context.Context, id, assignment string) error {
	_, err := s.db.c("quality_flags").UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"assignment": assignment}})
	return FormatError(err)
}

// SiteFlags reads the flags of a site's agents, oldest first: a few per
// agent at most, since a flag is kept per agent and check.
func (s *QualityStore) SiteFlags(ctx context.Context, site string) ([]*quality.Flag, error) {
	cur, err := s.db.c("quality_flags").Find(ctx, bson.M{"site": site}, options.Find().SetSort(bson.D{{Key: "opened_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*quality.Flag
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// AgentFlags reads an agent's flags at every site: a few at most, read
// only when a refresher limited to what the agent fails is assessed.
func (s *QualityStore) AgentFlags(ctx context.Context, agent string) ([]*quality.Flag, error) {
	cur, err := s.db.c("quality_flags").Find(ctx, bson.M{"agent": agent})
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*quality.Flag
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// SetReview stores a review on its record.
func (s *QualityStore) SetReview(ctx context.Context, rv *quality.Review) error {
	res, err := s.db.c("quality_records").UpdateOne(ctx, bson.M{"_id": rv.Ticket}, bson.M{"$set": bson.M{"review": rv}})
	if err != nil {
		return FormatError(err)
	}
	if res.MatchedCount == 0 {
		return academy.Errorf(academy.ENOTFOUND, "质检记录不存在 / No quality record for ticket %q.", rv.Ticket)
	}
	return nil
}

// feedbackDoc is an agent's latest reviews ("quality_feedback", one
// document per agent, read by _id for the home page).
type feedbackDoc struct {
	ID      string           `bson:"_id"`
	Reviews []quality.Review `bson:"reviews"`
}

// AddFeedback puts rv at the head of its agent's reviews. The list is
// read, changed and written back by _id; on the embedded store within
// the write turn, so that two reviews at once both stay.
func (s *QualityStore) AddFeedback(ctx context.Context, rv *quality.Review, max int) error {
	c := s.db.c("quality_feedback")
	_, err := inTurn(ctx, c, func() (struct{}, error) {
		var d feedbackDoc
		err := c.Collection.FindOne(ctx, bson.M{"_id": rv.Agent}).Decode(&d)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return struct{}{}, err
		}
		list := slices.DeleteFunc(d.Reviews, func(r quality.Review) bool { return r.Ticket == rv.Ticket })
		list = append([]quality.Review{*rv}, list...)
		d.ID, d.Reviews = rv.Agent, list[:min(len(list), max)]
		_, err = c.Collection.ReplaceOne(ctx, bson.M{"_id": rv.Agent}, d, options.Replace().SetUpsert(true))
		return struct{}{}, err
	})
	return FormatError(err)
}

// FindFeedback reads an agent's latest reviews, newest first.
func (s *QualityStore) FindFeedback(ctx context.Context, agent string) ([]quality.Review, error) {
	var d feedbackDoc
	err := s.db.c("quality_feedback").FindOne(ctx, bson.M{"_id": agent}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	return d.Reviews, FormatError(err)
}
