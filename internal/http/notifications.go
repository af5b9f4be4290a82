package http

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/notify"
)

// Page sizes of the notification lists.
const (
	notificationsPage = 30
	outboxPage        = 50
	homeNotifications = 5
)

func (s *Server) registerNotifyRoutes(get, post string) {
	put := fiber.MethodPut
	robots := Access{Perm: academy.PermOversee, SiteParam: "site"}
	s.handle(get, "/notifications", loggedIn, s.notificationsPage)
	s.handle(post, "/notifications/read", loggedIn, s.notificationsRead)
	s.handle(get, "/account/notifications", loggedIn, s.prefsPage)
	s.handle(post, "/account/notifications", loggedIn, s.prefsSave)
	s.handle(get, "/sites/:site/robot", robots, s.robotPage)
	s.handle(post, "/sites/:site/robot", robots, s.robotSave)
	s.handle(get, "/admin/notifications", perm(academy.PermAuditRead), s.adminNotifications)
	s.handle(post, "/admin/notifications/resend", perm(academy.PermAuditRead), s.adminNotificationResend)

	s.handle(get, "/api/v1/notifications", loggedIn, s.apiNotifications)
	s.handle(post, "/api/v1/notifications/read", loggedIn, s.apiNotificationsRead)
	s.handle(get, "/api/v1/me/notification-preferences", loggedIn, s.apiPrefs)
	s.handle(put, "/api/v1/me/notification-preferences", loggedIn, s.apiPrefsSave)
	s.handle(get, "/api/v1/sites/:site/robot", robots, s.apiRobot)
	s.handle(put, "/api/v1/sites/:site/robot", robots, s.apiRobotSave)
}

// unread is the header's count: one read by _id per page.
func (s *Server) unread(ctx context.Context, u *academy.User) int {
	if u == nil || s.Notify == nil {
		return 0
	}
	n, err := s.Notify.Store.Unread(ctx, u.ID)
	if err != nil {
		s.Logger.Warn("unread notifications", "err", err)
	}
	return n
}

func offsetOf(c *fiber.Ctx) int {
	n, _ := strconv.Atoi(c.Query("offset"))
	return min(max(n, 0), 1<<20)
}

func (s *Server) notificationsPage(c *fiber.Ctx) error {
	u := currentUser(c)
	offset := offsetOf(c)
	list, total, unread, err := s.Notify.Store.Notifications(c.UserContext(), u.ID, offset, notificationsPage)
	if err != nil {
		return err
	}
	p := s.newPage(c, "notify.title")
	p.Unread = unread
	p.Data = map[string]any{"List": list, "Unread": unread, "Pager": newPager(nil, "/notifications", offset, notificationsPage, total)}
	return s.render(c, "notifications", p)
}

// notificationsRead marks one notification (id) or all (all=1) read,
// then goes back to the list, or to the notification's link (open=1).
func (s *Server) notificationsRead(c *fiber.Ctx) error {
	u := currentUser(c)
	if c.FormValue("all") == "1" {
		if err := s.Notify.Store.MarkAllRead(c.UserContext(), u.ID); err != nil {
			return err
		}
		return c.Redirect("/notifications", fiber.StatusSeeOther)
	}
	id := c.FormValue("id")
	if err := checkNotificationID(id); err != nil {
		return err
	}
	if err := s.Notify.Store.MarkRead(c.UserContext(), u.ID, id); err != nil {
		return err
	}
	if link := c.FormValue("open"); link != "" && strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//") && !strings.Contains(link, `\`) {
		return c.Redirect(link, fiber.StatusSeeOther)
	}
	return c.Redirect("/notifications", fiber.StatusSeeOther)
}

func checkNotificationID(id string) error {
	if id == "" || len(id) > 200 || strings.ContainsFunc(id, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return academy.Errorf(academy.EINVALID, "id: 请指明要标记的通知 / name the notification to mark read")
	}
	return nil
}

func (s *Server) apiNotifications(c *fiber.Ctx) error {
	u := currentUser(c)
	offset := offsetOf(c)
	limit, _ := strconv.Atoi(c.Query("limit"))
	if limit <= 0 || limit > 100 {
		limit = notificationsPage
	}
	list, total, unread, err := s.Notify.Store.Notifications(c.UserContext(), u.ID, offset, limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"total": total, "unread": unread, "notifications": listOf(list)})
}

func (s *Server) apiNotificationsRead(c *fiber.Ctx) error {
	var req struct {
		ID  string `json:"id"`
		All bool   `json:"all"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u := currentUser(c)
	if req.All {
		if err := s.Notify.Store.MarkAllRead(c.UserContext(), u.ID); err != nil {
			return err
		}
	} else {
		if err := checkNotificationID(req.ID); err != nil {
			return err
		}
		if err := s.Notify.Store.MarkRead(c.UserContext(), u.ID, req.ID); err != nil {
			return err
		}
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// kindOption is a kind as a form lists it.
type kindOption struct {
	Kind notify.Kind
	Name string
	On   bool
}

func kindOptions(lang string, on func(notify.Kind) bool) []kindOption {
	var out []kindOption
	for _, k := range notify.Kinds() {
		out = append(out, kindOption{Kind: k, Name: k.Name(lang), On: on(k)})
	}
	return out
}

func (s *Server) prefsPage(c *fiber.Ctx) error {
	prefs, err := s.Notify.Store.Prefs(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	return s.renderPrefs(c, fiber.StatusOK, prefs, "")
}

// prefRow is a kind on the preference page with the channels it takes.
type prefRow struct {
	Kind         notify.Kind
	Name         string
	InApp, Email bool
	// Fixed: the app is not the person's choice (a ticket escalated to them).
	Fixed bool
}

// emailOffered says whether the page offers e-mail: the person needs an
// address and the server a mail channel, or a ticked box would send nothing.
func (s *Server) emailOffered(u *academy.User) bool { return u.Email != "" && s.Notify.Email }

// prefKinds are the kinds a person may receive, in the table's order.
func prefKinds(u *academy.User) []notify.Kind {
	var out []notify.Kind
	for _, k := range notify.Kinds() {
		if k.For(u.Roles) {
			out = append(out, k)
		}
	}
	return out
}

func (s *Server) renderPrefs(c *fiber.Ctx, status int, prefs notify.Prefs, msg string) error {
	u := currentUser(c)
	p := s.newPage(c, "notify.prefs.title")
	p.Error = msg
	var rows []prefRow
	for _, k := range prefKinds(u) {
		ch := prefs.Choice(k)
		rows = append(rows, prefRow{Kind: k, Name: k.Name(p.Lang), InApp: ch.InApp, Email: ch.Email, Fixed: k == notify.KindEscalated})
	}
	p.Data = map[string]any{"Prefs": prefs, "Rows": rows, "Hours": hours, "EmailOffered": s.emailOffered(u), "HasEmail": u.Email != ""}
	return s.renderStatus(c, status, "notification_prefs", p)
}

var hours = func() []int {
	h := make([]int, 24)
	for i := range h {
		h[i] = i
	}
	return h
}()

// prefsSave reads the form: one checkbox per kind and channel, named by
// the channel with the kind as value (in_app=<k>, email=<k> when ticked),
// and the quiet_from and quiet_to hours. Only the kinds the page shows
// change, and e-mail only when the page offered it: the other choices
// stay as stored, so that gaining an address or a role finds them intact.
func (s *Server) prefsSave(c *fiber.Ctx) error {
	u := currentUser(c)
	prefs, err := s.Notify.Store.Prefs(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	ticked := map[string]map[notify.Kind]bool{}
	var bad error
	for _, ch := range notify.PersonalChannels {
		ticked[ch] = map[notify.Kind]bool{}
		for _, v := range c.Context().PostArgs().PeekMulti(ch) {
			k := notify.Kind(v)
			if !k.Known() && bad == nil {
				bad = academy.Errorf(academy.EINVALID, "%s: 未知的通知类型 %q / unknown notification kind %q", ch, clipText(string(k)), clipText(string(k)))
			}
			ticked[ch][k] = true
		}
	}
	offered := s.emailOffered(u)
	choices := map[notify.Kind]notify.Choice{}
	for _, k := range prefKinds(u) {
		ch := notify.Choice{InApp: ticked[notify.ChannelInApp][k] || k == notify.KindEscalated, Email: prefs.Choice(k).Email}
		if offered {
			ch.Email = ticked[notify.ChannelEmail][k]
		}
		choices[k] = ch
	}
	prefs.SetChoice(choices)
	prefs.QuietFrom, prefs.QuietTo, err = quietHours(c.FormValue("quiet_from"), c.FormValue("quiet_to"))
	if err = cmp.Or(bad, err); err == nil {
		err = prefs.Validate()
	}
	if err != nil {
		if academy.ErrorCode(err) != academy.EINVALID {
			return err
		}
		return s.renderPrefs(c, fiber.StatusBadRequest, prefs, academy.MessageIn(s.lang(c), academy.ErrorMessage(err)))
	}
	if err := s.Notify.Store.SavePrefs(c.UserContext(), u.ID, prefs); err != nil {
		return err
	}
	return redirectFlash(c, "/account/notifications", "notify_prefs_saved")
}

func quietHours(from, to string) (int, int, error) {
	bad := academy.Errorf(academy.EINVALID, "quiet_from/quiet_to: 免打扰时段须为 0 到 23 点 / quiet hours must be whole hours from 0 to 23")
	if from == "" && to == "" {
		return 0, 0, nil
	}
	f, err1 := strconv.Atoi(from)
	t, err2 := strconv.Atoi(to)
	if err1 != nil || err2 != nil {
		return 0, 0, bad
	}
	return f, t, nil
}

// prefsJSON is the API's shape of preferences. channels gives every
// kind's channels (in_app, email) as fan-out applies them. kinds (the
// kinds taken on some channel) and email (some kind goes by e-mail) are
// the first version's fields: a PUT without channels sets every kind
// listed in kinds on in the app, and by e-mail too when email is true,
// as it always did. A PUT with channels sets the kinds it names to
// exactly the channels listed, keeps the kinds it does not name, and
// reads neither kinds nor email, which only summarise it; quiet hours
// left out of it stay as they were. email_available
// says whether e-mail can reach the person (an address, and a mail server
// configured); it is only read.
type prefsJSON struct {
	Kinds          []notify.Kind            `json:"kinds"`
	Email          bool                     `json:"email"`
	Channels       map[notify.Kind][]string `json:"channels"`
	EmailAvailable bool                     `json:"email_available"`
	QuietFrom      int                      `json:"quiet_from"`
	QuietTo        int                      `json:"quiet_to"`
}

func (s *Server) apiPrefs(c *fiber.Ctx) error {
	u := currentUser(c)
	p, err := s.Notify.Store.Prefs(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	out := prefsJSON{Kinds: []notify.Kind{}, Channels: map[notify.Kind][]string{}, EmailAvailable: s.emailOffered(u), QuietFrom: p.QuietFrom, QuietTo: p.QuietTo}
	for _, k := range notify.Kinds() {
		if p.Wants(k) {
			out.Kinds = append(out.Kinds, k)
		}
		ch := p.Choice(k)
		out.Channels[k] = []string{}
		if ch.InApp {
			out.Channels[k] = append(out.Channels[k], notify.ChannelInApp)
		}
		if ch.Email {
			out.Channels[k] = append(out.Channels[k], notify.ChannelEmail)
			out.Email = true
		}
	}
	return c.JSON(out)
}

func (s *Server) apiPrefsSave(c *fiber.Ctx) error {
	var req struct {
		Kinds          []notify.Kind       `json:"kinds"`
		Email          bool                `json:"email"`
		Channels       map[string][]string `json:"channels"`
		EmailAvailable *bool               `json:"email_available"` // only read: accepted so that a GET's body may be PUT back
		QuietFrom      *int                `json:"quiet_from"`
		QuietTo        *int                `json:"quiet_to"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u := currentUser(c)
	var p notify.Prefs
	if req.Channels != nil {
		choices, err := notify.ParseChannels("channels", req.Channels)
		if err != nil {
			return err
		}
		if p, err = s.Notify.Store.Prefs(c.UserContext(), u.ID); err != nil {
			return err
		}
		p.SetChoice(choices)
	} else {
		for _, k := range req.Kinds {
			if !k.Known() {
				return academy.Errorf(academy.EINVALID, "kinds: 未知的通知类型 %q / unknown notification kind %q", clipText(string(k)), clipText(string(k)))
			}
		}
		p.EmailOff = !req.Email
		for _, k := range notify.Kinds() {
			if !slices.Contains(req.Kinds, k) {
				p.Off = append(p.Off, k)
			}
		}
	}
	// Quiet hours left out are none in the first version's shape (p starts
	// empty) and kept with channels (p is what is stored): a change of one
	// kind leaves them be.
	if req.QuietFrom != nil {
		p.QuietFrom = *req.QuietFrom
	}
	if req.QuietTo != nil {
		p.QuietTo = *req.QuietTo
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if err := s.Notify.Store.SavePrefs(c.UserContext(), u.ID, p); err != nil {
		return err
	}
	return s.apiPrefs(c)
}

func clipText(s string) string {
	if len(s) <= 40 {
		return s
	}
	return strings.ToValidUTF8(s[:40], "") + "…"
}

func (s *Server) robotPage(c *fiber.Ctx) error {
	site, err := s.Accounts.Sites.FindSite(c.UserContext(), c.Params("site"))
	if err != nil {
		return err
	}
	r, err := s.Notify.Store.SiteRobot(c.UserContext(), site.ID)
	if err != nil {
		return err
	}
	return s.renderRobot(c, fiber.StatusOK, site, r, "")
}

func (s *Server) renderRobot(c *fiber.Ctx, status int, site *academy.Site, r notify.SiteRobot, msg string) error {
	p := s.newPage(c, "notify.robot.title")
	p.Error = msg
	p.Data = map[string]any{"Site": site, "Robot": r, "Robots": notify.RobotKinds, "Kinds": kindOptions(p.Lang, func(k notify.Kind) bool { return slices.Contains(r.Kinds, k) })}
	return s.renderStatus(c, status, "site_robot", p)
}

// robotSave reads the form: robot, url, secret (empty keeps the stored
// one), clear_secret, kind (one per kind on).
func (s *Server) robotSave(c *fiber.Ctx) error {
	site, err := s.Accounts.Sites.FindSite(c.UserContext(), c.Params("site"))
	if err != nil {
		return err
	}
	old, err := s.Notify.Store.SiteRobot(c.UserContext(), site.ID)
	if err != nil {
		return err
	}
	r := notify.SiteRobot{Site: site.ID, Robot: c.FormValue("robot"), URL: strings.TrimSpace(c.FormValue("url")), Secret: old.Secret}
	if v := c.FormValue("secret"); v != "" {
		r.Secret = v
	}
	if c.FormValue("clear_secret") == "on" {
		r.Secret = ""
	}
	for _, k := range c.Context().PostArgs().PeekMulti("kind") {
		r.Kinds = append(r.Kinds, notify.Kind(k))
	}
	if err := s.saveRobot(c, r); err != nil {
		if academy.ErrorCode(err) != academy.EINVALID {
			return err
		}
		r.Secret = old.Secret
		return s.renderRobot(c, fiber.StatusBadRequest, site, r, academy.MessageIn(s.lang(c), academy.ErrorMessage(err)))
	}
	return redirectFlash(c, "/sites/"+url.PathEscape(site.ID)+"/robot", "robot_saved")
}

func (s *Server) saveRobot(c *fiber.Ctx, r notify.SiteRobot) error {
	if err := r.Validate(); err != nil {
		return err
	}
	r.UpdatedAt, r.UpdatedBy = s.Accounts.Now(), currentUser(c).ID
	if err := s.Notify.Store.SaveSiteRobot(c.UserContext(), r); err != nil {
		return err
	}
	// The address and secret decide where the site's news goes: audited.
	a := actor(c)
	return s.Accounts.Audit.RecordAudit(c.UserContext(), &academy.AuditEvent{Time: s.Accounts.Now(), Actor: a.Username, Action: "notify.robot", Target: r.Site, IP: a.IP, Detail: r.Robot})
}

// robotJSON is the API's shape of a site's robot; the secret is only
// ever written (null or absent keeps it, "" clears it), and has_secret
// says whether one is set.
type robotJSON struct {
	Robot     string        `json:"robot"`
	URL       string        `json:"url"`
	Secret    *string       `json:"secret,omitempty"`
	HasSecret bool          `json:"has_secret"`
	Kinds     []notify.Kind `json:"kinds"`
}

func robotOut(r notify.SiteRobot) robotJSON {
	return robotJSON{Robot: r.Robot, URL: r.URL, HasSecret: r.HasSecret(), Kinds: listOf(r.Kinds)}
}

func (s *Server) apiRobot(c *fiber.Ctx) error {
	site, err := s.Accounts.Sites.FindSite(c.UserContext(), c.Params("site"))
	if err != nil {
		return err
	}
	r, err := s.Notify.Store.SiteRobot(c.UserContext(), site.ID)
	if err != nil {
		return err
	}
	return c.JSON(robotOut(r))
}

func (s *Server) apiRobotSave(c *fiber.Ctx) error {
	site, err := s.Accounts.Sites.FindSite(c.UserContext(), c.Params("site"))
	if err != nil {
		return err
	}
	var req robotJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	old, err := s.Notify.Store.SiteRobot(c.UserContext(), site.ID)
	if err != nil {
		return err
	}
	r := notify.SiteRobot{Site: site.ID, Robot: req.Robot, URL: strings.TrimSpace(req.URL), Secret: old.Secret, Kinds: req.Kinds}
	if req.Secret != nil {
		r.Secret = *req.Secret
	}
	if err := s.saveRobot(c, r); err != nil {
		return err
	}
	return c.JSON(robotOut(r))
}

// outboxRow is a delivery in words.
type outboxRow struct {
	notify.Delivery
	Who, KindName, SiteName string
}

func (s *Server) adminNotifications(c *fiber.Ctx) error {
	f := notify.DeliveryFilter{State: c.Query("state"), Channel: c.Query("channel"), Offset: offsetOf(c), Limit: outboxPage}
	if f.State != "" && !slices.Contains([]string{notify.Queued, notify.Sent, notify.Parked}, f.State) {
		return academy.Errorf(academy.EINVALID, "state: 只能是 queued、sent 或 parked / must be queued, sent or parked")
	}
	if f.Channel != "" && !slices.Contains([]string{notify.ChannelEmail, notify.ChannelRobot}, f.Channel) {
		return academy.Errorf(academy.EINVALID, "channel: 只能是 email 或 robot / must be email or robot")
	}
	ctx := c.UserContext()
	ds, total, err := s.Notify.Store.ListDeliveries(ctx, f)
	if err != nil {
		return err
	}
	if c.Query("format") == "json" {
		return c.JSON(fiber.Map{"total": total, "deliveries": listOf(ds)})
	}
	p := s.newPage(c, "notify.admin.title")
	people := map[string]string{}
	sites, err := s.siteNames(ctx)
	if err != nil {
		return err
	}
	rows := make([]outboxRow, len(ds))
	for i, d := range ds {
		if err := s.addPeople(ctx, people, d.To); err != nil {
			return err
		}
		rows[i] = outboxRow{Delivery: d, Who: people[d.To], KindName: d.Kind.Name(p.Lang), SiteName: cmp.Or(sites[d.Site], d.Site)}
	}
	q := url.Values{"state": {f.State}, "channel": {f.Channel}}
	p.Data = map[string]any{"Rows": rows, "State": f.State, "Channel": f.Channel, "Pager": newPager(q, "/admin/notifications", f.Offset, outboxPage, total),
		"KeptDays": int(notify.KeepSent / (24 * time.Hour))}
	return s.render(c, "admin_notifications", p)
}

func (s *Server) adminNotificationResend(c *fiber.Ctx) error {
	id := c.FormValue("id")
	if err := checkNotificationID(id); err != nil {
		return err
	}
	if err := s.Notify.Store.Resend(c.UserContext(), id, s.Accounts.Now()); err != nil {
		return err
	}
	a := actor(c)
	if err := s.Accounts.Audit.RecordAudit(c.UserContext(), &academy.AuditEvent{Time: s.Accounts.Now(), Actor: a.Username, Action: "notify.resend", Target: id, IP: a.IP}); err != nil {
		return err
	}
	return redirectFlash(c, "/admin/notifications?state=parked", "notification_resent")
}

// listOf makes a nil list an empty one, so that JSON says [] and not null.
func listOf[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}
