package http

import (
	"cmp"
	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

func (s *Server) accountPage(c *fiber.Ctx) error {
	p, err := s.accountPageOf(c)
	if err != nil {
		return err
	}
	return s.render(c, "account", p)
}

// accountPageOf is the account page with the user's sites by name.
func (s *Server) accountPageOf(c *fiber.Ctx) (*page, error) {
	p := s.newPage(c, "account.title")
	names, err := s.siteNames(c.UserContext())
	if err != nil {
		return nil, err
	}
	var sites []string
	for _, id := range p.User.Sites {
		sites = append(sites, cmp.Or(names[id], id))
	}
	p.Data = map[string]any{"Sites": sites}
	return p, nil
}

func (s *Server) accountError(c *fiber.Ctx, err error) error {
	if code := academy.ErrorCode(err); code != academy.EINVALID {
		return err
	}
	p, perr := s.accountPageOf(c)
	if perr != nil {
		return perr
	}
	p.Error = academy.ErrorMessage(err)
	return s.renderStatus(c, fiber.StatusBadRequest, "account", p)
}

func (s *Server) accountProfile(c *fiber.Ctx) error {
	u := currentUser(c)
	if _, err := s.Accounts.UpdateProfile(c.UserContext(), u.ID, c.FormValue("display_name"), c.FormValue("lang")); err != nil {
		return s.accountError(c, err)
	}
	return redirectFlash(c, "/account", "profile_saved")
}

func (s *Server) accountPassword(c *fiber.Ctx) error {
	if c.FormValue("new_password") != c.FormValue("confirm_password") {
		return s.accountError(c, academy.Errorf(academy.EINVALID, "confirm_password: 两次输入的新密码不一致 / the new passwords do not match"))
	}
	err := s.Accounts.ChangeOwnPassword(c.UserContext(), actor(c), c.FormValue("current_password"), c.FormValue("new_password"))
	if err != nil {
		return s.accountError(c, err)
	}
	// Every session ended with the change; log this browser in again so the
	// person who just proved the password is not thrown out.
	sess, token, _, err := s.Accounts.Login(c.UserContext(), currentUser(c).ID, c.FormValue("new_password"), academy.SessionWeb, clientIP(c))
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token, sess)
	return redirectFlash(c, "/account", "password_changed")
}

func (s *Server) apiMe(c *fiber.Ctx) error {
	return c.JSON(currentUser(c))
}

func (s *Server) apiChangePassword(c *fiber.Ctx) error {
	var req struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.Accounts.ChangeOwnPassword(c.UserContext(), actor(c), req.Current, req.New); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
