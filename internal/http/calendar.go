package http

import (
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/calendar"
)

func (s *Server) registerCalendarRoutes(get, post string) {
	sites := perm(academy.PermSitesManage)
	s.handle(get, "/admin/calendar", sites, s.calendarPage)
	s.handle(post, "/admin/calendar", sites, s.calendarSave)
	s.handle(get, "/admin/sites/:site/calendar", sites, s.calendarPage)
	s.handle(post, "/admin/sites/:site/calendar", sites, s.calendarSave)
	s.handle(post, "/admin/sites/:site/calendar/delete", sites, s.calendarRemove)
	s.handle(get, "/api/v1/calendar", sites, s.apiCalendar)
	s.handle(fiber.MethodPut, "/api/v1/calendar", sites, s.apiCalendarSave)
	s.handle(get, "/api/v1/sites/:site/calendar", sites, s.apiCalendar)
	s.handle(fiber.MethodPut, "/api/v1/sites/:site/calendar", sites, s.apiCalendarSave)
	s.handle(fiber.MethodDelete, "/api/v1/sites/:site/calendar", sites, s.apiCalendarRemove)
}

// calendarForm is the editor's state.
type calendarForm struct {
	Site      *academy.Site // nil for the company's calendar
	YAML      string
	Version   int
	Own       bool // the site has a calendar of its own (always for the company)
	Years     []calendar.Year
	LastYear  int
	NextYear  int // the year after this one, warned about when not covered
	Missing   bool
	OwnSites  []*academy.Site
	OtherSite []*academy.Site
}

// calendarOf loads the route's site (nil for the company's calendar) and
// the calendar in force for it.
func (s *Server) calendarOf(c *fiber.Ctx) (*academy.Site, *academy.CalendarView, error) {
	var site *academy.Site
	id := c.Params("site")
	if id != "" {
		var err error
		if site, err = s.Accounts.Sites.FindSite(c.UserContext(), id); err != nil {
			return nil, nil, err
		}
	}
	v, err := s.Calendars.Find(c.UserContext(), id)
	return site, v, err
}

func (s *Server) calendarPage(c *fiber.Ctx) error {
	site, v, err := s.calendarOf(c)
	if err != nil {
		return err
	}
	f := calendarForm{Site: site, Own: site == nil || !v.Inherited}
	if v.Doc != nil {
		f.YAML, f.Version = v.Doc.YAML, v.Doc.Version
	} else {
		// Nothing stored yet: start from the shipped file (a site from
		// the company's text, which it then changes).
		f.YAML = string(calendar.DefaultYAML)
		if site != nil {
			if cv, err := s.Calendars.Find(c.UserContext(), ""); err != nil {
				return err
			} else if cv.Doc != nil {
				f.YAML = cv.Doc.YAML
			}
		}
	}
	return s.calendarRender(c, fiber.StatusOK, f, v.Calendar, "")
}

func (s *Server) calendarRender(c *fiber.Ctx, status int, f calendarForm, cal *calendar.Calendar, problem string) error {
	f.Years, f.LastYear = cal.Years, cal.LastYear()
	f.NextYear = s.Desk.Now().In(s.Accounts.CompanyZone()).Year() + 1
	f.Missing = !cal.Covers(f.NextYear)
	if f.Site == nil {
		sites, err := s.Accounts.Sites.ListSites(c.UserContext())
		if err != nil {
			return err
		}
		own, err := s.Calendars.OwnSites(c.UserContext())
		if err != nil {
			return err
		}
		for _, st := range sites {
			if slices.Contains(own, st.ID) {
				f.OwnSites = append(f.OwnSites, st)
			} else {
				f.OtherSite = append(f.OtherSite, st)
			}
		}
	}
	pg := s.newPage(c, "calendar.title")
	pg.Error = problem
	pg.Data = f
	return s.renderStatus(c, status, "calendar", pg)
}

// calendarSave stores the form's YAML (or an uploaded file in its place);
// a problem comes back on the form with the text as sent.
func (s *Server) calendarSave(c *fiber.Ctx) error {
	site, v, err := s.calendarOf(c)
	if err != nil {
		return err
	}
	f := calendarForm{Site: site, Own: site == nil || !v.Inherited, YAML: c.FormValue("yaml")}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || version < 0 {
		return academy.Errorf(academy.EINVALID, "version: 请刷新页面后再保存 / Reload the page and save again.")
	}
	f.Version = version
	if fh, err := c.FormFile("file"); err == nil {
		if fh.Size > calendar.MaxSize {
			return s.calendarRender(c, fiber.StatusBadRequest, f, v.Calendar, academy.MessageIn(s.lang(c), "file: 文件最多 64 KB / The file may be at most 64 KB."))
		}
		r, err := fh.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(io.LimitReader(r, calendar.MaxSize+1))
		_ = r.Close()
		if err != nil {
			return err
		}
		f.YAML = string(b)
	}
	f.YAML = strings.ReplaceAll(f.YAML, "\r\n", "\n")
	if _, err := s.Calendars.Save(c.UserContext(), actor(c), siteID(site), f.YAML, version); err != nil {
		switch academy.ErrorCode(err) {
		case academy.EINVALID:
			return s.calendarRender(c, fiber.StatusBadRequest, f, v.Calendar, academy.MessageIn(s.lang(c), academy.ErrorMessage(err)))
		case academy.ECONFLICT:
			return s.calendarRender(c, fiber.StatusConflict, f, v.Calendar, academy.MessageIn(s.lang(c), academy.ErrorMessage(err)))
		}
		return err
	}
	return redirectFlash(c, calendarURL(site), "calendar_saved")
}

func (s *Server) calendarRemove(c *fiber.Ctx) error {
	site, _, err := s.calendarOf(c)
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil {
		return academy.Errorf(academy.EINVALID, "version: 请刷新页面后再操作 / Reload the page and try again.")
	}
	if err := s.Calendars.Remove(c.UserContext(), actor(c), site.ID, version); err != nil {
		return err
	}
	return redirectFlash(c, calendarURL(site), "calendar_removed")
}

func siteID(site *academy.Site) string {
	if site == nil {
		return ""
	}
	return site.ID
}

func calendarURL(site *academy.Site) string {
	if site == nil {
		return "/admin/calendar"
	}
	return "/admin/sites/" + site.ID + "/calendar"
}

// apiCalendarView is a calendar as the API gives it.
type apiCalendarView struct {
	Site string `json:"site,omitempty"`
	// Own is false for a site that follows the company's calendar.
	Own     bool   `json:"own"`
	YAML    string `json:"yaml,omitempty"`
	Version int    `json:"version"`
	Years   []int  `json:"years"`
	// LastYear is the last year with holidays; after it the clocks count
	// the weekly hours only.
	LastYear int `json:"last_year"`
}

func (s *Server) apiCalendar(c *fiber.Ctx) error {
	site, v, err := s.calendarOf(c)
	if err != nil {
		return err
	}
	out := apiCalendarView{Site: siteID(site), Own: !v.Inherited, Years: []int{}, LastYear: v.Calendar.LastYear()}
	if v.Doc != nil {
		out.YAML, out.Version = v.Doc.YAML, v.Doc.Version
	} else if site == nil {
		out.YAML = string(calendar.DefaultYAML)
	}
	for _, y := range v.Calendar.Years {
		out.Years = append(out.Years, y.Year)
	}
	return c.JSON(out)
}

func (s *Server) apiCalendarSave(c *fiber.Ctx) error {
	site, _, err := s.calendarOf(c)
	if err != nil {
		return err
	}
	var req struct {
		YAML    string `json:"yaml"`
		Version int    `json:"version"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if _, err := s.Calendars.Save(c.UserContext(), actor(c), siteID(site), req.YAML, req.Version); err != nil {
		return err
	}
	return s.apiCalendar(c)
}

func (s *Server) apiCalendarRemove(c *fiber.Ctx) error {
	site, _, err := s.calendarOf(c)
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(c.Query("version"))
	if err != nil {
		return academy.Errorf(academy.EINVALID, "version: 请给出要删除的版本号 / Give the version to remove as ?version=N.")
	}
	if err := s.Calendars.Remove(c.UserContext(), actor(c), site.ID, version); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
