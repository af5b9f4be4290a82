package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// runRealistic runs every trainee and manager as its own user until
// cfg.Duration has passed: an action (one or a few requests), then a think
// time drawn uniformly from [ThinkMin, ThinkMax], again. An action started
// before the end finishes; none starts after it.
func runRealistic(ctx context.Context, c *client, rec *recorder, cfg config, accts accounts) {
	until := time.Now().Add(cfg.Duration)
	think := func() time.Duration { return randDuration(cfg.ThinkMin, cfg.ThinkMax) }
	var wg sync.WaitGroup
	for _, a := range accts.trainees {
		l := &learner{c: c, rec: rec, token: a.Token, lessons: map[string][]lessonRef{}}
		wg.Go(func() { loop(ctx, until, cfg.ThinkMax, think, l.act) })
	}
	for _, a := range accts.managers {
		m := &manager{c: c, rec: rec, token: a.Token}
		wg.Go(func() { loop(ctx, until, cfg.ThinkMax, think, m.act) })
	}
	wg.Wait()
}

// loop runs one simulated user. Users arrive spread over one longest think
// time, so that thousands of them do not fire their first request in the
// same millisecond.
func loop(ctx context.Context, until time.Time, arrival time.Duration, think func() time.Duration, act func(context.Context)) {
	next := time.Now().Add(randDuration(0, arrival))
	for next.Before(until) && sleepUntil(ctx, next) {
		act(ctx)
		next = time.Now().Add(think())
	}
}

// weighted is one kind of action and how often a user picks it.
type weighted struct {
	weight int
	do     func(context.Context) error
}

// pick chooses an action with probability proportional to its weight.
func pick(actions []weighted) func(context.Context) error {
	total := 0
	for _, a := range actions {
		total += a.weight
	}
	n := rand.IntN(total)
	for _, a := range actions {
		if n < a.weight {
			return a.do
		}
		n -= a.weight
	}
	return actions[len(actions)-1].do
}

// manager opens the team dashboards; they are the heaviest pages, reading
// every trainee of the site.
type manager struct {
	c     *client
	rec   *recorder
	token string
}

func (m *manager) act(ctx context.Context) {
	get := func(path string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := m.c.do(ctx, m.rec, http.MethodGet, path, m.token, nil, nil)
			return err
		}
	}
	_ = pick([]weighted{{70, get("/team")}, {30, get("/team/weak-spots")}})(ctx) // failures are in rec
}

// learner is a trainee working through the curriculum. It keeps what it
// has seen, as a browser tab would, and reloads lists when they change.
type learner struct {
	c     *client
	rec   *recorder
	token string

	courses []courseCard           // nil: not loaded or stale
	lessons map[string][]lessonRef // by course slug
	last    *lessonRef             // the lesson read last, with its course
	sandbox *sandbox               // the learner's practice desk, once opened
}

// The parts of the course JSON (internal/http/courses.go) the learner uses.
type courseCard struct {
	Slug     string      `json:"slug"`
	Locked   bool        `json:"locked"`
	Complete bool        `json:"complete"`
	Lessons  []lessonRef `json:"lessons"`
}

type lessonRef struct {
	Course    string `json:"-"`
	Slug      string `json:"slug"`
	Completed bool   `json:"completed"`
}

// act does one weighted action. Reading dominates, as it does for people
// learning; the weights are a guess at a week of onboarding, not a trace.
func (l *learner) act(ctx context.Context) {
	do := pick([]weighted{
		{35, l.readLesson},
		{15, l.completeLesson},
		{5, l.savePosition},
		{5, l.listCourses},
		{10, l.listQuizzes},
		{10, l.takeQuiz},
		{10, l.playScenario},
		{10, l.useSandbox},
	})
	_ = do(ctx) // a failed request is in the recorder; the user thinks and goes on
}

func (l *learner) get(ctx context.Context, path string, out any) error {
	_, err := l.c.do(ctx, l.rec, http.MethodGet, path, l.token, nil, out)
	return err
}

func (l *learner) send(ctx context.Context, method, path string, body, out any) error {
	_, err := l.c.do(ctx, l.rec, method, path, l.token, body, out)
	return err
}

// listCourses is the course list page; it also tells which courses are
// unlocked.
func (l *learner) listCourses(ctx context.Context) error {
	var list struct {
		Items []courseCard `json:"items"`
	}
	if err := l.get(ctx, "/api/v1/courses", &list); err != nil {
		return err
	}
	l.courses = list.Items
	return nil
}

// nextLesson is where the learner continues: the first lesson not done in
// the first unlocked course not complete (or any lesson, once all are).
func (l *learner) nextLesson(ctx context.Context) (*lessonRef, error) {
	if l.courses == nil {
		if err := l.listCourses(ctx); err != nil {
			return nil, err
		}
	}
	var open []courseCard
	for _, cc := range l.courses {
		if !cc.Locked {
			open = append(open, cc)
		}
	}
	if len(open) == 0 {
		return nil, fmt.Errorf("no unlocked course")
	}
	course := open[rand.IntN(len(open))] // revising, once everything is done
	for _, cc := range open {
		if !cc.Complete {
			course = cc
			break
		}
	}
	lessons, ok := l.lessons[course.Slug]
	if !ok {
		var detail courseCard
		if err := l.get(ctx, "/api/v1/courses/"+url.PathEscape(course.Slug), &detail); err != nil {
			return nil, err
		}
		lessons = detail.Lessons
		for i := range lessons {
			lessons[i].Course = course.Slug
		}
		l.lessons[course.Slug] = lessons
	}
	if len(lessons) == 0 {
		return nil, fmt.Errorf("course %s has no lessons", course.Slug)
	}
	for i := range lessons {
		if !lessons[i].Completed {
			return &lessons[i], nil
		}
	}
	return &lessons[rand.IntN(len(lessons))], nil
}

func lessonPath(r *lessonRef) string {
	return "/api/v1/courses/" + url.PathEscape(r.Course) + "/lessons/" + url.PathEscape(r.Slug)
}

func (l *learner) readLesson(ctx context.Context) error {
	next, err := l.nextLesson(ctx)
	if err != nil {
		return err
	}
	if err := l.get(ctx, lessonPath(next), nil); err != nil {
		return err
	}
	l.last = next
	return nil
}

// completeLesson marks the lesson read last as done; with none read yet,
// the learner reads one first.
func (l *learner) completeLesson(ctx context.Context) error {
	if l.last == nil || l.last.Completed {
		return l.readLesson(ctx)
	}
	var res struct {
		CourseComplete bool `json:"course_complete"`
	}
	if err := l.send(ctx, http.MethodPost, lessonPath(l.last)+"/complete", nil, &res); err != nil {
		return err
	}
	l.last.Completed = true
	if res.CourseComplete {
		l.courses = nil // a finished course unlocks others
	}
	return nil
}

// savePosition is the reading position the lesson page saves while
// scrolling.
func (l *learner) savePosition(ctx context.Context) error {
	if l.last == nil {
		return l.readLesson(ctx)
	}
	return l.send(ctx, http.MethodPut, lessonPath(l.last)+"/position", map[string]float64{"position": rand.Float64()}, nil)
}

// quizCard is the part of GET /api/v1/quizzes that tells whether a quiz
// can be started now.
type quizCard struct {
	Slug      string     `json:"slug"`
	Left      int        `json:"attempts_left"` // -1: unlimited
	Active    string     `json:"active_attempt"`
	NextStart *time.Time `json:"next_start"`
	Open      bool       `json:"open"` // false: a course or quiz comes first
	Missing   []struct {
		Kind string `json:"kind"` // course or quiz
		Slug string `json:"slug"`
	} `json:"missing"`
}

func (l *learner) quizzes(ctx context.Context) ([]quizCard, error) {
	var list struct {
		Items []quizCard `json:"items"`
	}
	err := l.get(ctx, "/api/v1/quizzes", &list)
	return list.Items, err
}

func (l *learner) listQuizzes(ctx context.Context) error {
	_, err := l.quizzes(ctx)
	return err
}

// takeQuiz picks a quiz the learner may start now (open, attempts left,
// no cooldown running) or has in progress, and takes it.
func (l *learner) takeQuiz(ctx context.Context) error {
	list, err := l.quizzes(ctx)
	if err != nil {
		return err
	}
	var can []string
	for _, q := range list {
		if q.Active != "" || (q.Open && q.Left != 0 && q.NextStart == nil) {
			can = append(can, q.Slug)
		}
	}
	if len(can) == 0 {
		return nil // everything used or cooling down: nothing to do today
	}
	_, err = takeQuiz(ctx, l.c, l.rec, l.token, can[rand.IntN(len(can))])
	return err
}

// scenarioRun is the part of a scenario run (internal/http/scenarios.go apiRun)
// that drives it.
type scenarioRun struct {
	ID      string `json:"id"`
	Sandbox string `json:"sandbox"`
	State   string `json:"state"`
	Current *struct {
		ID      string   `json:"id"`
		Kind    string   `json:"kind"`
		Choices []string `json:"choices"`
		Reply   bool     `json:"reply"`
	} `json:"current"`
}

// maxSteps stops a run whose graph would loop forever under random
// choices; the shipped scenarios end in far fewer.
const maxSteps = 40

// playScenario runs a practice call to its end: random choices on
// dialogue steps, a written reply where the step asks for one, a look at
// the run's sandbox desk before declaring a task step done, and the
// debrief.
func (l *learner) playScenario(ctx context.Context) error {
	var list struct {
		Items []struct {
			Slug string `json:"slug"`
		} `json:"items"`
	}
	if err := l.get(ctx, "/api/v1/scenarios", &list); err != nil {
		return err
	}
	if len(list.Items) == 0 {
		return nil
	}
	slug := list.Items[rand.IntN(len(list.Items))].Slug
	var r scenarioRun
	if err := l.send(ctx, http.MethodPost, "/api/v1/scenarios/"+url.PathEscape(slug)+"/runs", nil, &r); err != nil {
		return err
	}
	base := "/api/v1/runs/" + url.PathEscape(r.ID)
	for range maxSteps {
		if r.State != "active" || r.Current == nil {
			break
		}
		path, body := base+"/choices", any(nil)
		switch {
		case r.Current.Kind == "task":
			if err := l.get(ctx, "/api/v1/workspaces/"+url.PathEscape(r.Sandbox)+"/tickets?queue=all", nil); err != nil {
				return err
			}
			path = base + "/done"
		case r.Current.Reply:
			body = map[string]string{"step": r.Current.ID, "reply": "您好，这里是物业服务中心。您反映的情况我已经记录下来，马上安排同事处理，处理进展我会及时回电告诉您。"}
		case len(r.Current.Choices) > 0:
			body = map[string]any{"step": r.Current.ID, "choice": rand.IntN(len(r.Current.Choices))}
		default:
			return fmt.Errorf("run %s: step of kind %q offers nothing to do", r.ID, r.Current.Kind)
		}
		// A fresh value each step: decoding into the old one would keep
		// fields the new step omits (such as "reply": true).
		var next scenarioRun
		if err := l.send(ctx, http.MethodPost, path, body, &next); err != nil {
			return err
		}
		r = next
	}
	return l.get(ctx, base+"/debrief", nil)
}

// sandbox is the part of a sandbox (academy.Sandbox) needed to file
// tickets in it.
type sandbox struct {
	ID        string `json:"id"`
	Scenario  string `json:"scenario"` // empty: a practice desk
	Directory struct {
		Residents []struct {
			ID string `json:"id"`
		} `json:"residents"`
	} `json:"directory"`
}

// sandboxTickets bounds the tickets a learner files in one sandbox, so a
// long run does not grow the document towards the server's limit of 200.
const sandboxTickets = 5

// useSandbox opens the learner's practice desk (finding or creating the
// sandbox the first time), files a ticket while the desk is small, and
// opens a couple of tickets.
func (l *learner) useSandbox(ctx context.Context) error {
	if l.sandbox == nil {
		var list struct {
			Items []sandbox `json:"items"`
		}
		if err := l.get(ctx, "/api/v1/sandboxes", &list); err != nil {
			return err
		}
		// The practice desk, not a scenario's: the server trims those
		// first when a learner has many.
		if i := slices.IndexFunc(list.Items, func(sb sandbox) bool { return sb.Scenario == "" }); i >= 0 {
			l.sandbox = &list.Items[i]
		} else {
			var sb sandbox
			if err := l.send(ctx, http.MethodPost, "/api/v1/sandboxes", map[string]string{"name": "压测练习"}, &sb); err != nil {
				return err
			}
			l.sandbox = &sb
		}
	}
	tickets := "/api/v1/workspaces/" + url.PathEscape(l.sandbox.ID) + "/tickets"
	var queue struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := l.get(ctx, tickets+"?queue=all", &queue); err != nil {
		return err
	}
	if len(queue.Items) < sandboxTickets {
		t := map[string]string{"type": "repair", "title": "卫生间天花板渗水", "description": "业主来电：楼上卫生间渗水，天花板滴水。", "channel": "phone", "priority": "normal"}
		if res := l.sandbox.Directory.Residents; len(res) > 0 {
			t["resident"] = res[rand.IntN(len(res))].ID
		}
		var created struct {
			ID string `json:"id"`
		}
		if err := l.send(ctx, http.MethodPost, tickets, t, &created); err != nil {
			return err
		}
		queue.Items = append(queue.Items, struct {
			ID string `json:"id"`
		}{created.ID})
	}
	for _, i := range rand.Perm(len(queue.Items))[:min(2, len(queue.Items))] {
		if err := l.get(ctx, tickets+"/"+url.PathEscape(queue.Items[i].ID), nil); err != nil {
			return err
		}
	}
	return nil
}
