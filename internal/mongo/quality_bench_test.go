package mongo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
	"github.com/academy/academy/internal/quality"
)

// BenchmarkQualityFigures reads the figures of /team/quality for one site
// with 20,000 closed tickets handled by 50 agents, all within the default
// four weeks (5,000 a week: every ticket is behind the view).
func BenchmarkQualityFigures(b *testing.B) {
	db := mongotest.Open(b)
	ctx := context.Background()
	store := mongo.NewQualityStore(db)
	loc := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, loc)
	weeks := quality.Weeks(now, loc, 4)
	checks := academy.ShippedRules().Procedure(academy.TypeRepair).Checks
	const tickets, agents = 20000, 50
	for wi, w := range weeks {
		wk := &quality.Week{ID: quality.WeekID("s1", w), Site: "s1", Week: w, Agents: map[string]*quality.Tally{}}
		for i := wi; i < tickets; i += len(weeks) {
			agent := fmt.Sprintf("agent.%02d", i%agents)
			t := wk.Agents[agent]
			if t == nil {
				t = &quality.Tally{Checks: map[string]*quality.Count{}, Clocks: map[string]*quality.Count{}}
				wk.Agents[agent] = t
			}
			t.N++
			for j, c := range checks {
				k := quality.CheckKey(academy.TypeRepair, c.ID)
				if t.Checks[k] == nil {
					t.Checks[k] = &quality.Count{}
				}
				if (i+j)%10 == 0 {
					t.Checks[k].Fail++
				} else {
					t.Checks[k].Pass++
				}
			}
			for _, cl := range []string{academy.ClockFirstResponse, academy.ClockResolution} {
				if t.Clocks[cl] == nil {
					t.Clocks[cl] = &quality.Count{}
				}
				t.Clocks[cl].Pass++
			}
			t.SatSum, t.SatN = t.SatSum+4, t.SatN+1
		}
		if err := store.InsertQualityWeek(ctx, wk); err != nil {
			b.Fatal(err)
		}
	}
	if ws, err := store.FindWeeks(ctx, "s1", weeks); err != nil || len(ws) != len(weeks) {
		b.Fatalf("weeks %v: %d, %v", weeks, len(ws), err)
	}
	svc := &quality.Service{Store: store}
	b.ResetTimer()
	for b.Loop() {
		rep, err := svc.Figures(ctx, []string{"s1"}, weeks)
		if err != nil {
			b.Fatal(err)
		}
		if f := rep.Sites[0]; f.Total.Tickets != tickets || len(f.Agents) != agents {
			b.Fatalf("%d tickets, %d agents", f.Total.Tickets, len(f.Agents))
		}
	}
}
