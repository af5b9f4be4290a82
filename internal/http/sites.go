package http

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

func (s *Server) sitesPage(c *fiber.Ctx, status int, form *academy.Site, errMsg string) error {
	sites, err := s.Accounts.Sites.ListSites(c.UserContext())
	if err != nil {
		return err
	}
	p := s.newPage(c, "sites.title")
	p.Error = errMsg
	p.Data = map[string]any{"Sites": sites, "Form": form, "Company": s.Accounts.CompanyZone().String()}
	return s.renderStatus(c, status, "sites", p)
}

func (s *Server) adminSites(c *fiber.Ctx) error {
	return s.sitesPage(c, fiber.StatusOK, &academy.Site{}, "")
}

func (s *Server) adminSiteCreate(c *fiber.Ctx) error {
	site := &academy.Site{ID: strings.TrimSpace(c.FormValue("id")), Name: c.FormValue("name"), TZ: c.FormValue("tz")}
	if err := s.Accounts.CreateSite(c.UserContext(), actor(c), site); err != nil {
		if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.ECONFLICT {
			return s.sitesPage(c, codeStatus[code], site, academy.ErrorMessage(err))
		}
		return err
	}
	return redirectFlash(c, "/admin/sites", "site_created")
}

func (s *Server) apiListSites(c *fiber.Ctx) error {
	sites, err := s.Accounts.Sites.ListSites(c.UserContext())
	if err != nil {
		return err
	}
	if sites == nil {
		sites = []*academy.Site{}
	}
	return c.JSON(listResponse[*academy.Site]{Items: sites, Total: len(sites), Limit: len(sites)})
}

func (s *Server) apiCreateSite(c *fiber.Ctx) error {
	var req struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		TZ   string `json:"tz"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	site := &academy.Site{ID: req.ID, Name: req.Name, TZ: req.TZ}
	if err := s.Accounts.CreateSite(c.UserContext(), actor(c), site); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(site)
}

// siteSettingsSave renames the site or moves it to another zone.
func (s *Server) siteSettingsSave(c *fiber.Ctx) error {
	name, tz := c.FormValue("name"), c.FormValue("tz")
	site, err := s.Accounts.UpdateSite(c.UserContext(), actor(c), c.Params("site"), &name, &tz)
	if academy.ErrorCode(err) == academy.EINVALID {
		return s.sitePage(c, fiber.StatusBadRequest, siteForms{Kind: "settings", SiteName: name, SiteTZ: tz, Role: "owner"}, academy.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return redirectFlash(c, "/admin/sites/"+url.PathEscape(site.ID), "site_saved")
}

// apiPatchSite renames a site or moves it to another zone; a field left
// out is left as it is, and "tz": "" puts the site on the company's zone.
func (s *Server) apiPatchSite(c *fiber.Ctx) error {
	var req struct {
		Name *string `json:"name"`
		TZ   *string `json:"tz"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	site, err := s.Accounts.UpdateSite(c.UserContext(), actor(c), c.Params("site"), req.Name, req.TZ)
	if err != nil {
		return err
	}
	return c.JSON(site)
}
