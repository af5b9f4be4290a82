package http

import (
	"html/template"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// deskHome lists the desks a user can work: live sites as an agent or
// their manager, and their own sandboxes.
func (s *Server) deskHome(c *fiber.Ctx) error {
	u := currentUser(c)
	sites, err := s.Accounts.Sites.ListSites(c.UserContext())
	if err != nil {
		return err
	}
	var live []*academy.Site
	for _, site := range sites {
		if s.Authz.Can(u, site.ID, academy.PermTickets) || s.Authz.Can(u, site.ID, academy.PermOversee) {
			live = append(live, site)
		}
	}
	var sandboxes []*academy.Sandbox
	if s.Authz.Can(u, "", academy.PermSandbox) {
		if sandboxes, err = s.Desk.Sandboxes.ListSandboxes(c.UserContext(), u.ID); err != nil {
			return err
		}
	}
	pg := s.newPage(c, "desk.title")
	pg.Data = map[string]any{"Live": live, "Sandboxes": sandboxes, "CanSandbox": s.Authz.Can(u, "", academy.PermSandbox)}
	return s.render(c, "desk_home", pg)
}

// queue names and how they filter.
// grab lists the unassigned tickets that an agent may take for
// themselves (repairs dispatched to a department, 待抢单); followup the
// open tickets due a follow-up call today or earlier (今日跟进).
var queues = []string{"open", "mine", "unassigned", "grab", "followup", "overdue", "all"}

// queueSorts are the orders a queue is shown in: newest first (the
// default), or closest to breaching its SLA first.
var queueSorts = []string{"new", "breach"}

func (s *Server) filterFrom(c *fiber.Ctx, queue string) (academy.TicketFilter, error) {
	f := academy.TicketFilter{Type: c.Query("type"), State: c.Query("state"), Query: c.Query("q")}
	if err := academy.CheckText("q", f.Query, 64, false); err != nil {
		return f, err
	}
	if w := currentWorkspace(c); f.Type != "" && w != nil && w.Rules.Procedure(f.Type) == nil {
		return f, academy.Errorf(academy.EINVALID, "type: %q 不是工单类型 / %q is not a ticket type", f.Type, f.Type)
	}
	switch queue {
	case "", "open", "overdue", "followup":
		f.Open = true
	case "mine":
		f.Open, f.Assignee = true, currentUser(c).ID
	case "unassigned", "grab":
		f.Open, f.Assignee = true, "-"
	case "all":
	default:
		return f, academy.Errorf(academy.EINVALID, "queue: %q 不在 %s 之中 / %q is not one of %s", queue, strings.Join(queues, ", "), queue, strings.Join(queues, ", "))
	}
	return f, nil
}

func (s *Server) queue(c *fiber.Ctx, w *academy.Workspace) ([]academy.TicketSummary, string, error) {
	queue := c.Query("queue", "open")
	f, err := s.filterFrom(c, queue)
	if err != nil {
		return nil, queue, err
	}
	list, err := s.Desk.List(c.UserContext(), w, f, actor(c))
	if err != nil {
		return nil, queue, err
	}
	switch queue {
	case "overdue":
		list = slices.DeleteFunc(list, func(t academy.TicketSummary) bool { return !t.Overdue(w.Now) })
	case "grab":
		list = slices.DeleteFunc(list, func(t academy.TicketSummary) bool { return !takeable(w.Rules, t) })
	case "followup":
		today := w.Now.In(w.Zone).Format("2006-01-02")
		list = slices.DeleteFunc(list, func(t academy.TicketSummary) bool {
			return t.FollowUp.IsZero() || t.FollowUp.In(w.Zone).Format("2006-01-02") > today
		})
	}
	switch order := c.Query("sort", "new"); order {
	case "new":
	case "breach":
		academy.SortByBreach(list)
	default:
		return nil, queue, academy.Errorf(academy.EINVALID, "sort: %q 不在 %s 之中 / %q is not one of %s", order, strings.Join(queueSorts, ", "), order, strings.Join(queueSorts, ", "))
	}
	return list, queue, nil
}

// takeable reports whether an unassigned ticket's state offers an action
// that takes it (抢单), by the desk's current rules.
func takeable(r *academy.DeskRules, t academy.TicketSummary) bool {
	p := r.Procedure(t.Type)
	return p != nil && slices.ContainsFunc(p.Allowed(t.State), func(d academy.TransitionDef) bool { return d.Takes })
}

func (s *Server) deskPage(c *fiber.Ctx) error {
	return s.renderDesk(c, fiber.StatusOK, "", advanceForm{Unit: "minutes"})
}

// advanceForm is the clock's "advance by any amount" form as typed.
type advanceForm struct {
	Amount, Unit string
}

func (s *Server) renderDesk(c *fiber.Ctx, status int, errMsg string, adv advanceForm) error {
	w := currentWorkspace(c)
	list, queue, err := s.queue(c, w)
	if err != nil {
		return err
	}
	task, err := s.taskOf(c, w, true)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "desk.title")
	pg.Error = errMsg
	var taken []string
	for _, t := range list {
		taken = append(taken, t.Assignee)
	}
	names, err := s.deskNames(c.UserContext(), pg.Lang, w, taken...)
	if err != nil {
		return err
	}
	title := ""
	if w.Sandbox != nil {
		title = w.Sandbox.Name
	} else if title, err = s.siteName(c.UserContext(), w.ID); err != nil {
		return err
	}
	pg.Data = map[string]any{"Task": task, "W": w, "Tickets": list, "Queue": queue, "Queues": queues, "Procedures": w.Rules.Procedures,
		"Type": c.Query("type"), "Query": c.Query("q"), "Sort": c.Query("sort", "new"), "Sorts": queueSorts, "Dir": w.Directory, "Advance": adv, "Names": names, "Title": title}
	return s.renderStatus(c, status, "desk", pg)
}

func (s *Server) deskNew(c *fiber.Ctx) error {
	return s.deskNewForm(c, fiber.StatusOK, academy.NewTicket{Type: c.Query("type", academy.TypeRepair), Channel: "phone", Priority: academy.PriorityNormal}, "")
}

func (s *Server) deskNewForm(c *fiber.Ctx, status int, in academy.NewTicket, errMsg string) error {
	w := currentWorkspace(c)
	task, err := s.taskOf(c, w, true)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "desk.title")
	pg.Error = errMsg
	resident := in.Resident // as typed, unless it names a resident
	if r := w.Directory.Resident(in.Resident); r != nil {
		resident = w.Directory.ResidentLabel(*r)
	}
	pg.Data = map[string]any{"Task": task, "W": w, "Form": in, "Resident": resident, "Procedures": w.Rules.Procedures, "Priorities": academy.Priorities, "Channels": academy.Channels}
	return s.renderStatus(c, status, "desk_new", pg)
}

func newTicketFrom(c *fiber.Ctx) academy.NewTicket {
	return academy.NewTicket{Type: c.FormValue("type"), Title: c.FormValue("title"), Description: c.FormValue("description"),
		Unit: c.FormValue("unit"), Resident: c.FormValue("resident"), Channel: c.FormValue("channel"), Priority: c.FormValue("priority")}
}

func (s *Server) deskCreate(c *fiber.Ctx) error {
	w := currentWorkspace(c)
	in := newTicketFrom(c)
	// The form names the resident by flat or name; the ticket keeps the id.
	id, err := w.Directory.FindResident(in.Resident)
	if err != nil {
		return s.deskNewForm(c, fiber.StatusBadRequest, in, academy.ErrorMessage(err))
	}
	in.Resident = id
	t, err := s.Desk.Create(c.UserContext(), w, in, currentUser(c).ID)
	if err != nil {
		if academy.ErrorCode(err) == academy.EINVALID {
			return s.deskNewForm(c, fiber.StatusBadRequest, in, academy.ErrorMessage(err))
		}
		return err
	}
	return redirectFlash(c, "/desk/"+w.ID+"/tickets/"+t.ID, "ticket_created")
}

// ticketView is a ticket with what the page needs around it.
type ticketView struct {
	T         *academy.Ticket
	P         *academy.Procedure
	State     academy.StateDef
	Allowed   []academy.TransitionDef
	SLA       academy.SLAStatus
	Resident  *academy.Resident
	Unit      *academy.Unit
	Phone     string // masked unless revealed
	Revealed  bool
	Now       time.Time
	Members   []academy.Member
	Open      bool
	Timeline  []academy.Event
	Priority  []string
	ErrAction string
	// Departments are those of the ticket's rules, which a dispatch
	// names.
	Departments []academy.Department
	// Manager: the viewer oversees the site; the page offers only what a
	// manager may do (no message to the owner, no phone reveal).
	Manager bool
}

func (s *Server) ticketView(w *academy.Workspace, t *academy.Ticket, revealed string) ticketView {
	p := t.Procedure()
	v := ticketView{T: t, P: p, Departments: t.DeskRules().Departments, State: p.State(t.State), Allowed: t.Actions(w.Role), SLA: academy.SLA(t, w.Now, w.Calendar), Now: w.Now,
		Members: w.Directory.Members, Open: t.Open(), Timeline: eventsForPage(t.Events), Priority: academy.Priorities,
		Manager: w.Role == academy.DeskManager}
	if r := w.Directory.Resident(t.Resident); r != nil {
		v.Resident = r
		v.Phone = academy.MaskPhone(r.Phone)
		if revealed == r.Phone {
			v.Phone, v.Revealed = r.Phone, true
		}
	}
	v.Unit = w.Directory.Unit(t.Unit)
	return v
}

// eventsForPage is the ticket's history as the page shows it. Apply keeps
// a transition's "note" field among the event's fields and also copies it
// into the event's note, which the page shows as the event's text; the
// copy among the fields is dropped so that the note is not shown twice.
// The events are cloned because the API sends the same ticket unchanged.
func eventsForPage(events []academy.Event) []academy.Event {
	out := slices.Clone(events)
	for i, ev := range out {
		if n, ok := ev.Fields["note"]; ok && n == ev.Note {
			fields := maps.Clone(ev.Fields)
			delete(fields, "note")
			out[i].Fields = fields
		}
	}
	return out
}

func (s *Server) ticketPage(c *fiber.Ctx) error {
	return s.renderTicket(c, fiber.StatusOK, "", "", "")
}

func (s *Server) renderTicket(c *fiber.Ctx, status int, revealed, errMsg, errAction string) error {
	w := currentWorkspace(c)
	t, err := s.Desk.Get(c.UserContext(), w, c.Params("id"))
	if err != nil {
		return err
	}
	v := s.ticketView(w, t, revealed)
	v.ErrAction = errAction
	task, err := s.taskOf(c, w, false)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "desk.title")
	pg.Error = errMsg
	people := []string{t.Assignee}
	for _, ev := range t.Events {
		people = append(people, ev.Actor, ev.Fields["assignee"])
	}
	names, err := s.deskNames(c.UserContext(), pg.Lang, w, people...)
	if err != nil {
		return err
	}
	pg.Data = map[string]any{"Task": task, "W": w, "V": v, "Names": names}
	return s.renderStatus(c, status, "ticket", pg)
}

// actionFrom reads an action form: fields are posted as f.<name>.
func actionFrom(c *fiber.Ctx) academy.TicketAction {
	a := academy.TicketAction{Action: c.FormValue("action"), Fields: map[string]string{}}
	a.Version, _ = strconv.Atoi(c.FormValue("version"))
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if name, ok := strings.CutPrefix(string(k), "f."); ok {
			a.Fields[name] = string(v)
		}
	})
	return a
}

// act runs a ticket action. A take (抢单) that lost the race says who
// won it: the domain knows only their account, the accounts their name.
func (s *Server) act(c *fiber.Ctx, w *academy.Workspace, a academy.TicketAction) (*academy.Ticket, error) {
	t, err := s.Desk.Act(c.UserContext(), w, c.Params("id"), a, currentUser(c).ID)
	if academy.ErrorCode(err) != academy.ECONFLICT {
		return t, err
	}
	now, gerr := s.Desk.Get(c.UserContext(), w, c.Params("id"))
	if gerr != nil || now.Assignee == "" || now.Assignee == currentUser(c).ID {
		return nil, err
	}
	if def := now.Procedure().Transition(a.Action); def == nil || !def.Takes {
		return nil, err
	}
	// The one who has it may be a department member it was handed to.
	zh, zerr := s.deskNames(c.UserContext(), "zh", w, now.Assignee)
	en, eerr := s.deskNames(c.UserContext(), "en", w, now.Assignee)
	if zerr != nil || eerr != nil {
		return nil, err
	}
	return nil, academy.Errorf(academy.ECONFLICT, "这张工单已被%s抢先接单 / %s took this ticket first.", zh[now.Assignee], en[now.Assignee])
}

func (s *Server) ticketAct(c *fiber.Ctx) error {
	w := currentWorkspace(c)
	a := actionFrom(c)
	if _, err := s.act(c, w, a); err != nil {
		if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.ECONFLICT {
			return s.renderTicket(c, codeStatus[code], "", academy.ErrorMessage(err), a.Action)
		}
		return err
	}
	return redirectFlash(c, "/desk/"+w.ID+"/tickets/"+c.Params("id"), "ticket_updated")
}

func (s *Server) apiRevealPhone(c *fiber.Ctx) error {
	phone, err := s.Desk.RevealPhone(c.UserContext(), currentWorkspace(c), c.Params("rid"), "", actor(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"resident": c.Params("rid"), "phone": phone})
}

// ticketReveal shows the full phone of the ticket's resident on the page.
func (s *Server) ticketReveal(c *fiber.Ctx) error {
	w := currentWorkspace(c)
	t, err := s.Desk.Get(c.UserContext(), w, c.Params("id"))
	if err != nil {
		return err
	}
	phone, err := s.Desk.RevealPhone(c.UserContext(), w, t.Resident, t.Number, actor(c))
	if err != nil {
		return err
	}
	return s.renderTicket(c, fiber.StatusOK, phone, "", "")
}

func (s *Server) sandboxOpen(c *fiber.Ctx) error {
	sb, err := s.Desk.OpenSandbox(c.UserContext(), currentUser(c).ID, c.FormValue("name"), nil)
	if err != nil {
		return err
	}
	return redirectFlash(c, "/desk/"+sb.ID, "sandbox_opened")
}

func sandboxOf(w *academy.Workspace) (*academy.Sandbox, error) {
	if w.Sandbox == nil {
		return nil, academy.Errorf(academy.EINVALID, "只有演练环境才有模拟时钟和重置功能 / only a sandbox has a simulated clock and a reset")
	}
	return w.Sandbox, nil
}

func (s *Server) sandboxClock(c *fiber.Ctx) error {
	sb, err := sandboxOf(currentWorkspace(c))
	if err != nil {
		return err
	}
	adv := advanceForm{Amount: strings.TrimSpace(c.FormValue("amount")), Unit: c.FormValue("unit")}
	var minutes int
	if c.Request().PostArgs().Has("minutes") {
		// One of the quick buttons.
		if minutes, err = strconv.Atoi(c.FormValue("minutes")); err != nil {
			err = academy.Errorf(academy.EINVALID, "minutes: 请填写整数分钟 / a whole number of minutes is required")
		}
	} else {
		minutes, err = advanceMinutes(adv)
	}
	if err == nil {
		err = s.Desk.AdvanceClock(c.UserContext(), sb, minutes)
	}
	if academy.ErrorCode(err) == academy.EINVALID {
		// The desk again, with the amount as typed and what is wrong with it.
		return s.renderDesk(c, fiber.StatusBadRequest, academy.ErrorMessage(err), adv)
	} else if err != nil {
		return err
	}
	return redirectFlash(c, safeNext(c.FormValue("next")), "clock_advanced")
}

// advanceUnits are the units the clock form offers, in minutes.
var advanceUnits = map[string]int{"minutes": 1, "hours": 60}

// advanceMinutes reads the clock form's amount and unit: a whole number
// from 1 up to MaxAdvance in that unit. The amount is checked as typed,
// before it is multiplied, so that no count overflows.
func advanceMinutes(f advanceForm) (int, error) {
	per, ok := advanceUnits[f.Unit]
	if !ok {
		return 0, academy.Errorf(academy.EINVALID, "unit: 请选择分钟或小时 / choose minutes or hours")
	}
	most := int(academy.MaxAdvance/time.Minute) / per
	name := map[string]string{"minutes": "分钟", "hours": "小时"}[f.Unit]
	n, err := strconv.Atoi(f.Amount)
	if err != nil && strings.Trim(f.Amount, "0123456789") == "" && f.Amount != "" {
		n = most + 1 // digits too many for an int: too far, not "not a number"
	} else if err != nil {
		return 0, academy.Errorf(academy.EINVALID, "amount: 请填写 1 到 %d 之间的整数（%s）/ enter a whole number of %s from 1 to %d", most, name, f.Unit, most)
	}
	if n < 1 || n > most {
		return 0, academy.Errorf(academy.EINVALID, "amount: 每次可快进 1 到 %d %s（30 天）/ advance by 1 to %d %s (30 days) at a time", most, name, most, f.Unit)
	}
	return n * per, nil
}

func (s *Server) sandboxReset(c *fiber.Ctx) error {
	sb, err := sandboxOf(currentWorkspace(c))
	if err != nil {
		return err
	}
	if err := s.Desk.ResetSandbox(c.UserContext(), sb); err != nil {
		return err
	}
	return redirectFlash(c, "/desk/"+sb.ID, "sandbox_reset")
}

// API.

type apiTicket struct {
	*academy.Ticket
	StateLabel string                  `json:"state_label"`
	Allowed    []academy.TransitionDef `json:"allowed"`
	SLA        academy.SLAStatus       `json:"sla"`
	Phone      string                  `json:"resident_phone,omitempty"` // masked
}

func (s *Server) apiTicketOut(w *academy.Workspace, t *academy.Ticket) apiTicket {
	v := s.ticketView(w, t, "")
	return apiTicket{Ticket: t, StateLabel: v.State.Label, Allowed: v.Allowed, SLA: v.SLA, Phone: v.Phone}
}

func (s *Server) apiListTickets(c *fiber.Ctx) error {
	w := currentWorkspace(c)
	list, _, err := s.queue(c, w)
	if err != nil {
		return err
	}
	if list == nil {
		list = []academy.TicketSummary{}
	}
	type item struct {
		academy.TicketSummary
		Overdue bool `json:"overdue"`
		// Band is the SLA band at the desk's now: fresh, half, near,
		// breached ("" when nothing runs).
		Band string `json:"sla_band,omitempty"`
	}
	out := make([]item, 0, len(list))
	for _, t := range list {
		out = append(out, item{t, t.Overdue(w.Now), t.Band(w.Now)})
	}
	return c.JSON(fiber.Map{"workspace": w.ID, "now": w.Now, "items": out, "total": len(out)})
}

func (s *Server) apiCreateTicket(c *fiber.Ctx) error {
	var in struct {
		Type        string `json:"type"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Unit        string `json:"unit"`
		Resident    string `json:"resident"`
		Channel     string `json:"channel"`
		Priority    string `json:"priority"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	w := currentWorkspace(c)
	t, err := s.Desk.Create(c.UserContext(), w, academy.NewTicket(in), currentUser(c).ID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.apiTicketOut(w, t))
}

func (s *Server) apiGetTicket(c *fiber.Ctx) error {
	w := currentWorkspace(c)
	t, err := s.Desk.Get(c.UserContext(), w, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(s.apiTicketOut(w, t))
}

func (s *Server) apiTransition(c *fiber.Ctx) error {
	var a academy.TicketAction
	if err := decodeJSON(c, &a); err != nil {
		return err
	}
	if a.Action == "" {
		return academy.Errorf(academy.EINVALID, "action: 请选择操作 / required")
	}
	w := currentWorkspace(c)
	t, err := s.act(c, w, a)
	if err != nil {
		return err
	}
	return c.JSON(s.apiTicketOut(w, t))
}

func (s *Server) apiDirectory(c *fiber.Ctx) error {
	w := currentWorkspace(c)
	type resident struct {
		academy.Resident
		Phone string `json:"phone"` // masked
	}
	res := make([]resident, 0, len(w.Directory.Residents))
	for _, r := range w.Directory.Residents {
		res = append(res, resident{r, academy.MaskPhone(r.Phone)})
	}
	return c.JSON(fiber.Map{"units": w.Directory.Units, "residents": res, "members": w.Directory.Members, "now": w.Now})
}

func (s *Server) apiOpenSandbox(c *fiber.Ctx) error {
	var req struct {
		Name string `json:"name"`
	}
	if len(c.BodyRaw()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	sb, err := s.Desk.OpenSandbox(c.UserContext(), currentUser(c).ID, req.Name, nil)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(sb)
}

func (s *Server) apiSandboxes(c *fiber.Ctx) error {
	list, err := s.Desk.Sandboxes.ListSandboxes(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*academy.Sandbox{}
	}
	return c.JSON(fiber.Map{"items": list, "total": len(list)})
}

func (s *Server) apiSandboxClock(c *fiber.Ctx) error {
	var req struct {
		Minutes int `json:"minutes"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sb, err := sandboxOf(currentWorkspace(c))
	if err != nil {
		return err
	}
	if err := s.Desk.AdvanceClock(c.UserContext(), sb, req.Minutes); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": sb.ID, "now": sb.Now(s.Desk.Now()), "offset_minutes": int(sb.Offset / time.Minute)})
}

func (s *Server) apiSandboxReset(c *fiber.Ctx) error {
	sb, err := sandboxOf(currentWorkspace(c))
	if err != nil {
		return err
	}
	if err := s.Desk.ResetSandbox(c.UserContext(), sb); err != nil {
		return err
	}
	return c.JSON(sb)
}

// deskTask is the panel a practice call's desk shows above its pages:
// the call's task and the way back to the call.
type deskTask struct {
	Run    *academy.Run
	Title  string
	Task   bool // the call is at a task step: Prompt and Checks say what to do
	Prompt template.HTML
	Checks []taskCheck
	// Open unfolds the task's text on a wide screen: on the queue and the
	// new-ticket form; a ticket's page keeps its actions near the top. On a
	// phone it starts folded, below the way back to the call.
	Open bool
}

// taskCheck is one check of the task as the learner is told it.
type taskCheck struct {
	academy.Check
	Persona bool
	Fields  [][2]string // name, value; in name order
	// Span is a within check's time limit as people say it: Count of
	// Unit (a catalog key).
	Count int
	Unit  string
}

// taskOf returns the task panel of a workspace, or nil for a desk that is
// not a practice call's (or whose run is gone).
func (s *Server) taskOf(c *fiber.Ctx, w *academy.Workspace, open bool) (*deskTask, error) {
	if w.Sandbox == nil || w.Sandbox.Run == "" {
		return nil, nil
	}
	r, err := s.Coach.Runs.FindRun(c.UserContext(), w.Sandbox.Run)
	if academy.ErrorCode(err) == academy.ENOTFOUND || (err == nil && r.Username != currentUser(c).ID) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	task := &deskTask{Run: r, Title: r.ScenarioTitle, Open: open}
	sc := s.Catalog.Snapshot().Scenarios[r.Scenario]
	if sc == nil || r.State != academy.RunActive {
		return task, nil
	}
	st := sc.Step(r.Step)
	if st == nil || st.Kind != academy.StepTask {
		return task, nil
	}
	task.Task, task.Prompt = true, s.renderMD(st.Prompt)
	for _, ck := range st.Checks {
		tc := taskCheck{Check: ck, Persona: ck.Resident == academy.PersonaID}
		for _, name := range slices.Sorted(maps.Keys(ck.Fields)) {
			tc.Fields = append(tc.Fields, [2]string{name, ck.Fields[name]})
		}
		switch m := ck.Minutes; {
		case m >= 1440 && m%1440 == 0:
			tc.Count, tc.Unit = m/1440, "task.days"
		case m >= 60 && m%60 == 0:
			tc.Count, tc.Unit = m/60, "task.hours"
		default:
			tc.Count, tc.Unit = m, "task.minutes"
		}
		task.Checks = append(task.Checks, tc)
	}
	return task, nil
}
