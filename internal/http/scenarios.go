package http

import (
	"cmp"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/catalog"
)

func (s *Server) scenario(c *fiber.Ctx, slug string) (*academy.Scenario, error) {
	sc := s.Catalog.Snapshot().Scenarios[slug]
	if sc == nil {
		return nil, academy.Errorf(academy.ENOTFOUND, "情景不存在 / Scenario %q not found.", slug)
	}
	return sc, nil
}

type scenarioCard struct {
	S    *academy.Scenario
	Best *academy.RunSummary
	Runs int
}

// scenarioGroup is the scenarios of one module (course), easiest first.
type scenarioGroup struct {
	Title string // the course's title; "" for scenarios of no known course
	Cards []scenarioCard
}

// difficultyRank orders the difficulties from easy to hard.
var difficultyRank = map[string]int{"easy": 0, "medium": 1, "hard": 2}

// scenarioGroups groups cards by their scenario's first module, in the
// catalog's course order, each group from easy to hard and then by title.
// Scenarios whose module is no active course come last, together.
func scenarioGroups(snap *catalog.Snapshot, cards []scenarioCard) []scenarioGroup {
	var groups []scenarioGroup
	at := map[string]int{}
	for _, c := range snap.Active {
		at[c.Slug] = len(groups)
		groups = append(groups, scenarioGroup{Title: c.Title})
	}
	other := scenarioGroup{}
	for _, card := range cards {
		if len(card.S.Modules) > 0 {
			if i, ok := at[card.S.Modules[0]]; ok {
				groups[i].Cards = append(groups[i].Cards, card)
				continue
			}
		}
		other.Cards = append(other.Cards, card)
	}
	groups = append(groups, other)
	groups = slices.DeleteFunc(groups, func(g scenarioGroup) bool { return len(g.Cards) == 0 })
	for _, g := range groups {
		slices.SortStableFunc(g.Cards, func(a, b scenarioCard) int {
			return cmp.Or(cmp.Compare(difficultyRank[a.S.Difficulty], difficultyRank[b.S.Difficulty]), strings.Compare(a.S.Title, b.S.Title))
		})
	}
	return groups
}

func (s *Server) scenariosPage(c *fiber.Ctx) error {
	runs, err := s.Coach.Runs.ListRuns(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	snap := s.Catalog.Snapshot()
	var cards []scenarioCard
	for _, sc := range snap.ActiveScenarios {
		n := 0
		for _, r := range runs {
			if r.Scenario == sc.Slug {
				n++
			}
		}
		cards = append(cards, scenarioCard{S: sc, Best: academy.BestRun(runs, sc.Slug), Runs: n})
	}
	pg := s.newPage(c, "scen.title")
	pg.Data = map[string]any{"Groups": scenarioGroups(snap, cards)}
	return s.render(c, "scenarios", pg)
}

func (s *Server) scenarioPage(c *fiber.Ctx) error {
	sc, err := s.scenario(c, c.Params("slug"))
	if err != nil {
		return err
	}
	runs, err := s.Coach.Runs.ListRuns(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	mine := slices.DeleteFunc(runs, func(r academy.RunSummary) bool { return r.Scenario != sc.Slug })
	pg := s.newPage(c, "scen.title")
	pg.Data = map[string]any{"S": sc, "Opening": s.renderMD(sc.Opening), "Runs": mine, "Lessons": s.lessonLinks(sc.Lessons)}
	return s.render(c, "scenario", pg)
}

// lessonLink is a lesson referred to as "course/lesson".
type lessonLink struct {
	URL, Title string
}

func (s *Server) lessonLinks(refs []string) []lessonLink {
	snap := s.Catalog.Snapshot()
	var out []lessonLink
	for _, ref := range refs {
		if l := lessonRef(snap, ref); l != nil {
			out = append(out, *l)
		}
	}
	return out
}

func lessonRef(snap *catalog.Snapshot, ref string) *lessonLink {
	for i := 0; i < len(ref); i++ {
		if ref[i] == '/' {
			if c := snap.Course(ref[:i]); c != nil {
				if l := c.Lesson(ref[i+1:]); l != nil {
					return &lessonLink{URL: "/courses/" + c.Slug + "/lessons/" + l.Slug, Title: c.Title + " · " + l.Title}
				}
			}
		}
	}
	return nil
}

func (s *Server) runStart(c *fiber.Ctx) error {
	sc, err := s.scenario(c, c.Params("slug"))
	if err != nil {
		return err
	}
	r, err := s.Coach.Start(c.UserContext(), currentUser(c), sc)
	if err != nil {
		return err
	}
	if isAPI(c) {
		return c.Status(fiber.StatusCreated).JSON(s.runOut(r, sc))
	}
	return c.Redirect("/runs/"+r.ID, fiber.StatusSeeOther)
}

// runScenario loads the caller's run and its scenario.
func (s *Server) runScenario(c *fiber.Ctx) (*academy.Run, *academy.Scenario, error) {
	r, err := s.Coach.Get(c.UserContext(), currentUser(c), c.Params("id"))
	if err != nil {
		return nil, nil, err
	}
	sc, err := s.scenario(c, r.Scenario)
	return r, sc, err
}

func (s *Server) runPage(c *fiber.Ctx) error {
	r, sc, err := s.runScenario(c)
	if err != nil {
		return err
	}
	if r.State == academy.RunFinished {
		// The last step answered twice: the notice follows to the debrief.
		if c.Query("flash") == "step_answered" {
			return redirectFlash(c, "/runs/"+r.ID+"/debrief", "step_answered")
		}
		return c.Redirect("/runs/"+r.ID+"/debrief", fiber.StatusSeeOther)
	}
	return s.renderRun(c, fiber.StatusOK, r, sc, "")
}

func (s *Server) renderRun(c *fiber.Ctx, status int, r *academy.Run, sc *academy.Scenario, errMsg string) error {
	st := sc.Step(r.Step)
	pg := s.newPage(c, "scen.title")
	pg.Error = errMsg
	var last *academy.RunEntry
	if n := len(r.Log); n > 0 {
		last = &r.Log[n-1]
	}
	pg.Data = map[string]any{"R": r, "S": sc, "Step": st, "Prompt": s.renderMD(st.Prompt), "Last": last, "Choices": shownChoices(r, st)}
	return s.renderStatus(c, status, "run", pg)
}

// shownChoices lists st's choices in the order the run shows them.
func shownChoices(r *academy.Run, st *academy.Step) []academy.Choice {
	var out []academy.Choice
	for _, i := range r.ChoiceOrder(st) {
		out = append(out, st.Choices[i])
	}
	return out
}

func (s *Server) runChoose(c *fiber.Ctx) error {
	r, sc, err := s.runScenario(c)
	if err != nil {
		return err
	}
	choice := -1
	if v := c.FormValue("choice"); v != "" {
		if choice, err = strconv.Atoi(v); err != nil {
			return academy.Errorf(academy.EINVALID, "choice: %q 不是数字 / %q is not a number", v, v)
		}
	}
	id := r.ID
	r, err = s.Coach.Choose(c.UserContext(), currentUser(c), sc, id, c.FormValue("step"), choice, c.FormValue("reply"))
	if academy.ErrorCode(err) == academy.ECONFLICT {
		// A second click or a page kept open in another tab: the step was
		// answered; show the run where it is now rather than an error page.
		return redirectFlash(c, "/runs/"+id, "step_answered")
	} else if err != nil {
		return err
	}
	return c.Redirect("/runs/"+r.ID, fiber.StatusSeeOther)
}

func (s *Server) runDone(c *fiber.Ctx) error {
	r, sc, err := s.runScenario(c)
	if err != nil {
		return err
	}
	if r, err = s.Coach.Done(c.UserContext(), currentUser(c), sc, r.ID); err != nil {
		return err
	}
	return c.Redirect("/runs/"+r.ID, fiber.StatusSeeOther)
}

// debrief is everything the debrief page shows.
type debrief struct {
	R        *academy.Run
	S        *academy.Scenario
	Entries  []debriefEntry
	Failed   []academy.CheckResult
	Lessons  []lessonLink
	Timeline []timelineItem
	Expected []expectedStep
	Outcome  template.HTML
	// DimMax is what each dimension's score is out of.
	DimMax map[string]int
	// MissedRequired: a must-do step failed, which fails the run whatever
	// its score, so the verdict must not blame the pass mark.
	MissedRequired bool
	// Names names the timeline's actors on the page.
	Names map[string]string `json:"-"`
}

type debriefEntry struct {
	academy.RunEntry
	Owner string // what the owner said at that step
	// Shown are the choices in the order the learner saw them.
	Shown []shownChoice
}

type shownChoice struct {
	Text   string
	Chosen bool
}

type timelineItem struct {
	Ticket, Type string
	academy.Event
	Label string
}

// expectedStep is one action of an order check, found or not in the run.
type expectedStep struct {
	Type, Action, Label string
	Done                bool
}

func (s *Server) buildDebrief(r *academy.Run, sc *academy.Scenario, sb *academy.Sandbox) debrief {
	d := debrief{R: r, S: sc, DimMax: sc.DimensionMax()}
	snap := s.Catalog.Snapshot()
	seen := map[string]bool{}
	for _, e := range r.Log {
		de := debriefEntry{RunEntry: e}
		if st := sc.Step(e.Step); st != nil {
			de.Owner = st.Owner
			if e.Kind == "choice" {
				for _, i := range r.ChoiceOrder(st) {
					de.Shown = append(de.Shown, shownChoice{st.Choices[i].Text, i == e.Choice})
				}
			}
		}
		d.Entries = append(d.Entries, de)
		for _, ck := range e.Checks {
			if ck.Passed {
				continue
			}
			d.Failed = append(d.Failed, ck)
			d.MissedRequired = d.MissedRequired || ck.Required
			if ck.Lesson != "" && !seen[ck.Lesson] {
				if l := lessonRef(snap, ck.Lesson); l != nil {
					seen[ck.Lesson] = true
					d.Lessons = append(d.Lessons, *l)
				}
			}
		}
	}
	if sb != nil {
		for _, t := range sb.Tickets {
			for _, ev := range t.Events {
				label := academy.ActionLabel(t.Type, ev.Action)
				d.Timeline = append(d.Timeline, timelineItem{t.Number, t.Type, ev, label})
			}
		}
		slices.SortStableFunc(d.Timeline, func(a, b timelineItem) int { return a.At.Compare(b.At) })
		// Only the tasks this run was graded on: the scenario's other
		// branches may expect the very actions this one forbids (an
		// approved application lists no "reject" to do).
		graded := map[string]bool{}
		for _, e := range r.Log {
			st := sc.Step(e.Step)
			if st == nil || st.Kind != academy.StepTask || graded[st.ID] {
				continue
			}
			graded[st.ID] = true
			for _, ck := range st.Checks {
				if ck.Kind != academy.CheckOrder {
					continue
				}
				for _, a := range ck.Actions {
					done := slices.ContainsFunc(d.Timeline, func(it timelineItem) bool {
						return it.Action == a && ticketOfType(it.Ticket, sb, ck.Type)
					})
					label := academy.ActionLabel(ck.Type, a)
					d.Expected = append(d.Expected, expectedStep{ck.Type, a, label, done})
				}
			}
		}
	}
	if st := sc.Step(r.Step); st != nil && st.Kind == academy.StepEnd {
		// Runs finished before endings were kept are told theirs afresh.
		d.Outcome = s.renderMD(cmp.Or(r.Ending, sc.Ending(r)))
	}
	return d
}

// ticketOfType reports whether the ticket numbered n in the sandbox has type typ.
func ticketOfType(n string, sb *academy.Sandbox, typ string) bool {
	for _, t := range sb.Tickets {
		if t.Number == n {
			return t.Type == typ
		}
	}
	return false
}

// debriefFor loads a run for its learner or for a trainer of the learner.
func (s *Server) debriefFor(c *fiber.Ctx) (debrief, error) {
	u := currentUser(c)
	r, err := s.Coach.Runs.FindRun(c.UserContext(), c.Params("id"))
	if err != nil {
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			return debrief{}, academy.Errorf(academy.ENOTFOUND, "演练记录不存在 / Run %q not found.", c.Params("id"))
		}
		return debrief{}, err
	}
	if r.Username != u.ID {
		ok, err := s.trainsUser(c, u, r.Username)
		if err != nil {
			return debrief{}, err
		}
		if !ok {
			return debrief{}, academy.Errorf(academy.ENOTFOUND, "演练记录不存在 / Run %q not found.", c.Params("id"))
		}
	}
	sc, err := s.scenario(c, r.Scenario)
	if err != nil {
		return debrief{}, err
	}
	sb, err := s.Desk.Sandboxes.FindSandbox(c.UserContext(), r.Sandbox)
	if err != nil && academy.ErrorCode(err) != academy.ENOTFOUND {
		return debrief{}, err
	}
	return s.buildDebrief(r, sc, sb), nil
}

// trainsUser reports whether u trains (or manages) someone on one of their
// sites.
func (s *Server) trainsUser(c *fiber.Ctx, u *academy.User, username string) (bool, error) {
	other, err := s.Accounts.Users.FindUser(c.UserContext(), username)
	if academy.ErrorCode(err) == academy.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	for _, site := range other.Sites {
		if s.Authz.Can(u, site, academy.PermTrainees) {
			return true, nil
		}
	}
	return u.IsAdmin(), nil
}

func (s *Server) debriefPage(c *fiber.Ctx) error {
	d, err := s.debriefFor(c)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "scen.title")
	d.Names = map[string]string{academy.ActorSystem: s.locales.T(pg.Lang, "desk.actor.system")}
	for _, it := range d.Timeline {
		if err := s.addPeople(c.UserContext(), d.Names, it.Actor); err != nil {
			return err
		}
	}
	pg.Data = d
	return s.render(c, "debrief", pg)
}

// trainerRuns lists the runs of the learners on the trainer's sites, newest
// first, a page at a time.
func (s *Server) trainerRuns(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.UserContext()
	type row struct {
		User *academy.User
		academy.RunSummary
		Title string
	}
	people, err := s.Accounts.Users.ListUsersOn(ctx, s.sitesWith(c, u, academy.PermTrainees), "")
	if err != nil {
		return err
	}
	names := make([]string, len(people))
	byName := make(map[string]*academy.User, len(people))
	for i, p := range people {
		names[i], byName[p.ID] = p.ID, p
	}
	runs, err := s.Coach.Runs.ListRunsOf(ctx, names)
	if err != nil {
		return err
	}
	snap := s.Catalog.Snapshot()
	var rows []row
	for name, list := range runs {
		for _, r := range list {
			title := r.Scenario
			if sc := snap.Scenarios[r.Scenario]; sc != nil {
				title = sc.Title
			}
			rows = append(rows, row{byName[name], r, title})
		}
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp.Or(b.StartedAt.Compare(a.StartedAt), strings.Compare(a.ID, b.ID)) })
	off, lim := academy.ClampPage(c.QueryInt("offset"), c.QueryInt("limit", 50))
	pg := s.newPage(c, "scen.runs")
	pg.Data = map[string]any{"Rows": rows[min(off, len(rows)):min(off+lim, len(rows))],
		"Pager": newPager(url.Values{}, "/author/runs", off, lim, len(rows))}
	return s.render(c, "trainer_runs", pg)
}

// sitesWith lists the sites on which u holds perm.
func (s *Server) sitesWith(c *fiber.Ctx, u *academy.User, perm string) []string {
	sites, err := s.Accounts.Sites.ListSites(c.UserContext())
	if err != nil {
		return nil
	}
	var out []string
	for _, site := range sites {
		if s.Authz.Can(u, site.ID, perm) {
			out = append(out, site.ID)
		}
	}
	return out
}

// API.

type apiRun struct {
	*academy.Run
	Current *apiStep `json:"current,omitempty"`
}

type apiStep struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Owner   string   `json:"owner,omitempty"`
	Choices []string `json:"choices,omitempty"`
	Reply   bool     `json:"reply,omitempty"`
	Prompt  string   `json:"prompt_html,omitempty"`
}

func (s *Server) runOut(r *academy.Run, sc *academy.Scenario) apiRun {
	out := apiRun{Run: r}
	if st := sc.Step(r.Step); st != nil && r.State == academy.RunActive {
		cur := &apiStep{ID: st.ID, Kind: st.Kind, Owner: st.Owner, Reply: st.Reply != nil, Prompt: string(s.renderMD(st.Prompt))}
		for _, ch := range shownChoices(r, st) {
			cur.Choices = append(cur.Choices, ch.Text)
		}
		out.Current = cur
	}
	return out
}

func (s *Server) apiGetRun(c *fiber.Ctx) error {
	r, sc, err := s.runScenario(c)
	if err != nil {
		return err
	}
	return c.JSON(s.runOut(r, sc))
}

func (s *Server) apiChoose(c *fiber.Ctx) error {
	var req struct {
		Step   string `json:"step"`
		Choice *int   `json:"choice"`
		Reply  string `json:"reply"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, sc, err := s.runScenario(c)
	if err != nil {
		return err
	}
	choice := -1
	if req.Choice != nil {
		choice = *req.Choice
	}
	r, err = s.Coach.Choose(c.UserContext(), currentUser(c), sc, r.ID, req.Step, choice, req.Reply)
	if err != nil {
		return err
	}
	return c.JSON(s.runOut(r, sc))
}

func (s *Server) apiDone(c *fiber.Ctx) error {
	r, sc, err := s.runScenario(c)
	if err != nil {
		return err
	}
	r, err = s.Coach.Done(c.UserContext(), currentUser(c), sc, r.ID)
	if err != nil {
		return err
	}
	return c.JSON(s.runOut(r, sc))
}

func (s *Server) apiDebrief(c *fiber.Ctx) error {
	d, err := s.debriefFor(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"run": d.R, "failed_checks": d.Failed, "lessons": d.Lessons, "timeline": d.Timeline, "expected": d.Expected,
		"dimension_max": d.DimMax})
}

func (s *Server) apiScenarios(c *fiber.Ctx) error {
	runs, err := s.Coach.Runs.ListRuns(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	type item struct {
		*academy.Scenario
		Best *academy.RunSummary `json:"best_passing_run,omitempty"`
	}
	out := []item{}
	for _, sc := range s.Catalog.Snapshot().ActiveScenarios {
		out = append(out, item{sc, academy.BestRun(runs, sc.Slug)})
	}
	return c.JSON(fiber.Map{"items": out, "total": len(out)})
}
