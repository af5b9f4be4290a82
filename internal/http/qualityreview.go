package http

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/quality"
)

// Manual review (质检评分): a manager scores a closed live ticket of one
// of their sites; the agent reads it on their home page.

func (s *Server) registerQualityReviewRoutes(post string) {
	certs := perm(academy.PermCerts)
	s.handle(post, "/team/quality/reviews/:id", certs, s.qualityReviewSave)
	s.handle(post, "/api/v1/team/quality/reviews/:id", certs, s.apiQualityReview)
}

// review stores the viewer's review of ticket id, one of their sites'.
func (s *Server) review(c *fiber.Ctx, scores quality.Scores, comment string) (*quality.Review, error) {
	ctx, id := c.UserContext(), c.Params("id")
	rec, err := s.Quality.Store.FindRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	u := currentUser(c)
	if !s.Authz.Can(u, rec.Site, academy.PermCerts) {
		// As for a ticket that does not exist: a manager learns nothing
		// of other sites' tickets.
		return nil, academy.Errorf(academy.ENOTFOUND, "质检记录不存在 / No quality record for ticket %q.", id)
	}
	return s.Quality.Review(ctx, id, scores, comment, u.ID)
}

func (s *Server) apiQualityReview(c *fiber.Ctx) error {
	var in struct {
		Scores  quality.Scores `json:"scores"`
		Comment string         `json:"comment"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	rv, err := s.review(c, in.Scores, in.Comment)
	if err != nil {
		return err
	}
	return c.JSON(rv)
}

// qualityReviewSave takes the form of the agent's quality page and goes
// back to it.
func (s *Server) qualityReviewSave(c *fiber.Ctx) error {
	var sc quality.Scores
	for _, f := range quality.ScoreFields {
		v := strings.TrimSpace(c.FormValue(f))
		n, err := strconv.Atoi(v)
		if err != nil {
			return academy.Errorf(academy.EINVALID, "scores.%s: 请选择 1 到 5 分 / choose a score from 1 to 5", f)
		}
		switch f {
		case "courtesy":
			sc.Courtesy = n
		case "completeness":
			sc.Completeness = n
		case "procedure":
			sc.Procedure = n
		case "resolution":
			sc.Resolution = n
		}
	}
	rv, err := s.review(c, sc, c.FormValue("comment"))
	if err != nil {
		return err
	}
	weeks := "4"
	if n, err := strconv.Atoi(c.FormValue("weeks")); err == nil && n >= 1 && n <= quality.MaxWeeks {
		weeks = strconv.Itoa(n)
	}
	back := "/team/quality/agents/" + url.PathEscape(rv.Agent) + "?" + url.Values{"site": {rv.Site}, "weeks": {weeks}}.Encode()
	return redirectFlash(c, back+"#review-"+rv.Ticket, "quality_review_saved")
}
