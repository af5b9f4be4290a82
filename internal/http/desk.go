package http

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// deskHome lists the desks a user can work: live sites as an agent, and
// their own sandboxes.
func (s *Server) deskHome(c *fiber.Ctx) error {
	u := currentUser(c)
	sites, err := s.Accounts.Sites.ListSites(c.UserContext())
	if err != nil {
		return err
	}
	var live []*academy.Site
	for _, site := range sites {
		if s.Authz.Can(u, site.ID, academy.PermTickets) {
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
var queues = []string{"open", "mine", "unassigned", "overdue", "all"}

func (s *Server) filterFrom(c *fiber.Ctx, queue string) (academy.TicketFilter, error) {
	f := academy.TicketFilter{Type: c.Query("type"), State: c.Query("state"), Query: c.Query("q")}
	if f.Type != "" && academy.ProcedureOf(f.Type) == nil {
		return f, academy.Errorf(academy.EINVALID, "type: %q is not a ticket type", f.Type)
	}
	switch queue {
	case "", "open", "overdue":
		f.Open = true
	case "mine":
		f.Open, f.Assignee = true, currentUser(c).ID
	case "unassigned":
		f.Open, f.Assignee = true, "-"
	case "all":
	default:
		return f, academy.Errorf(academy.EINVALID, "queue: %q is not one of %s", queue, strings.Join(queues, ", "))
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
	if queue == "overdue" {
		list = slices.DeleteFunc(list, func(t academy.TicketSummary) bool { return !t.Overdue(w.Now) })
	}
	return list, queue, nil
}

func (s *Server) deskPage(c *fiber.Ctx) error {
	w := currentWorkspace(c)
	list, queue, err := s.queue(c, w)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "desk.title")
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
	pg.Data = map[string]any{"W": w, "Tickets": list, "Queue": queue, "Queues": queues, "Procedures": academy.Procedures,
		"Type": c.Query("type"), "Query": c.Query("q"), "Dir": w.Directory, "Names": names, "Title": title}
	return s.render(c, "desk", pg)
}

func (s *Server) deskNew(c *fiber.Ctx) error {
	return s.deskNewForm(c, fiber.StatusOK, academy.NewTicket{Type: c.Query("type", academy.TypeRepair), Channel: "phone", Priority: academy.PriorityNormal}, "")
}

func (s *Server) deskNewForm(c *fiber.Ctx, status int, in academy.NewTicket, errMsg string) error {
	w := currentWorkspace(c)
	pg := s.newPage(c, "desk.title")
	pg.Error = errMsg
	pg.Data = map[string]any{"W": w, "Form": in, "Procedures": academy.Procedures, "Priorities": academy.Priorities, "Channels": academy.Channels}
	return s.renderStatus(c, status, "desk_new", pg)
}

func newTicketFrom(c *fiber.Ctx) academy.NewTicket {
	return academy.NewTicket{Type: c.FormValue("type"), Title: c.FormValue("title"), Description: c.FormValue("description"),
		Unit: c.FormValue("unit"), Resident: c.FormValue("resident"), Channel: c.FormValue("channel"), Priority: c.FormValue("priority")}
}

func (s *Server) deskCreate(c *fiber.Ctx) error {
	w := currentWorkspace(c)
	in := newTicketFrom(c)
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
}

func (s *Server) ticketView(w *academy.Workspace, t *academy.Ticket, revealed string) ticketView {
	p := academy.ProcedureOf(t.Type)
	v := ticketView{T: t, P: p, State: p.State(t.State), Allowed: p.Allowed(t.State), SLA: academy.SLA(t, w.Now), Now: w.Now,
		Members: w.Directory.Members, Open: t.Open(), Timeline: eventsForPage(t.Events), Priority: academy.Priorities}
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
	pg.Data = map[string]any{"W": w, "V": v, "Names": names}
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

func (s *Server) ticketAct(c *fiber.Ctx) error {
	w := currentWorkspace(c)
	a := actionFrom(c)
	if _, err := s.Desk.Act(c.UserContext(), w, c.Params("id"), a, currentUser(c).ID); err != nil {
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
		return nil, academy.Errorf(academy.EINVALID, "only a sandbox has a simulated clock and a reset")
	}
	return w.Sandbox, nil
}

func (s *Server) sandboxClock(c *fiber.Ctx) error {
	sb, err := sandboxOf(currentWorkspace(c))
	if err != nil {
		return err
	}
	minutes, err := strconv.Atoi(c.FormValue("minutes"))
	if err != nil {
		return academy.Errorf(academy.EINVALID, "minutes: a whole number of minutes is required")
	}
	if err := s.Desk.AdvanceClock(c.UserContext(), sb, minutes); err != nil {
		return err
	}
	return redirectFlash(c, safeNext(c.FormValue("next")), "clock_advanced")
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
	}
	out := make([]item, 0, len(list))
	for _, t := range list {
		out = append(out, item{t, t.Overdue(w.Now)})
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
		return academy.Errorf(academy.EINVALID, "action: required")
	}
	w := currentWorkspace(c)
	t, err := s.Desk.Act(c.UserContext(), w, c.Params("id"), a, currentUser(c).ID)
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
