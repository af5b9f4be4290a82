package http

import (
	"net/url"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// The learner's quizzes as their trainers and managers see them, with the
// exceptions those may grant: another attempt, or the cooldown lifted.

func (s *Server) registerLearnerRoutes(get, post string) {
	follow := perm(academy.PermTrainees)
	s.handle(get, "/learners/:username", follow, s.learnerPage)
	s.handle(post, "/learners/:username/quizzes/:slug/grants", follow, s.learnerGrant)
	s.handle(post, "/api/v1/users/:username/quizzes/:slug/grants", follow, s.apiLearnerGrant)
}

// learner returns the person named in the path to someone who follows
// their training on one of their sites; to anyone else they don't exist.
func (s *Server) learner(c *fiber.Ctx) (*academy.User, error) {
	actor := currentUser(c)
	p, err := s.Accounts.Users.FindUser(c.UserContext(), c.Params("username"))
	if err != nil {
		return nil, err
	}
	if actor.IsAdmin() {
		return p, nil
	}
	for _, site := range p.Sites {
		if s.Authz.Can(actor, site, academy.PermTrainees) {
			return p, nil
		}
	}
	return nil, academy.UserNotFound(c.Params("username"))
}

// learnerQuiz is one quiz in a learner's record, for the people who follow
// it.
type learnerQuiz struct {
	quizCard
	Used    int
	Allowed int // 0: unlimited
	Cooling bool
}

// grantRow is one grant as the learner page lists it, by names.
type grantRow struct {
	At           time.Time
	Quiz, By     string
	Kind, Reason string
}

func (s *Server) learnerPage(c *fiber.Ctx) error {
	p, err := s.learner(c)
	if err != nil {
		return err
	}
	cards, err := s.quizCards(c, p)
	if err != nil {
		return err
	}
	rec, err := s.Examiner.Attempts.FindRecord(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	rows := make([]learnerQuiz, len(cards))
	var grants []grantRow
	for i, k := range cards {
		h := rec.History(k.Quiz.Slug)
		rows[i] = learnerQuiz{quizCard: k, Used: h.Count, Cooling: !k.NextStart.IsZero()}
		if k.Quiz.MaxAttempts > 0 {
			rows[i].Allowed = k.Quiz.MaxAttempts + h.Extra
		}
		for _, g := range h.Grants {
			if _, ok := names[g.By]; !ok {
				names[g.By] = g.By
				if by, err := s.Accounts.Users.FindUser(c.UserContext(), g.By); err == nil {
					names[g.By] = by.DisplayName
				}
			}
			grants = append(grants, grantRow{At: g.At, Quiz: k.Quiz.Title, By: names[g.By], Kind: g.Kind, Reason: g.Reason})
		}
	}
	slices.SortFunc(grants, func(a, b grantRow) int { return b.At.Compare(a.At) })
	pg := s.newPage(c, "learner.title")
	pg.Data = map[string]any{"Person": p, "Quizzes": rows, "Grants": grants, "CanCerts": s.Certifier.CanManage(currentUser(c), p)}
	return s.render(c, "learner", pg)
}

func (s *Server) grant(c *fiber.Ctx, kind, reason string) (*academy.User, *academy.AttemptGrant, *academy.Quiz, error) {
	p, err := s.learner(c)
	if err != nil {
		return nil, nil, nil, err
	}
	q, err := s.quiz(c)
	if err != nil {
		return nil, nil, nil, err
	}
	// The marker first: a grant whose news could be lost is not made. A
	// refused grant leaves its marker too (the refusal may come after the
	// grant was stored, from the audit); the catch-up finds no grant for
	// it and removes it.
	pending, err := s.beginGrant(c.UserContext(), currentUser(c), p, q)
	if err != nil {
		return nil, nil, nil, err
	}
	g, err := s.Examiner.GrantAttempt(c.UserContext(), currentUser(c), p, q, kind, reason, clientIP(c))
	if err == nil {
		s.notifyGranted(c.UserContext(), pending, g)
	}
	return p, g, q, err
}

func (s *Server) learnerGrant(c *fiber.Ctx) error {
	p, _, _, err := s.grant(c, c.FormValue("kind"), c.FormValue("reason"))
	if err != nil {
		return err
	}
	return redirectFlash(c, "/learners/"+url.PathEscape(p.ID), "attempt_granted")
}

func (s *Server) apiLearnerGrant(c *fiber.Ctx) error {
	var in struct {
		Kind   string `json:"kind"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, g, q, err := s.grant(c, in.Kind, in.Reason)
	if err != nil {
		return err
	}
	rec, err := s.Examiner.Attempts.FindRecord(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	h := rec.History(q.Slug)
	out := fiber.Map{"grant": g, "attempts_left": h.AttemptsLeft(q)}
	if next := h.NextStart(q); next.After(s.Examiner.Now()) {
		out["next_start"] = next.Format(time.RFC3339)
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}
