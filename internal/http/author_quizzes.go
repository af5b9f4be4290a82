package http

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/content"
)

func (s *Server) authorQuizzes(c *fiber.Ctx) error {
	quizzes, err := s.Library.Quizzes.ListQuizzes(c.UserContext())
	if err != nil {
		return err
	}
	pg := s.newPage(c, "author.quizzes")
	pg.Data = map[string]any{"Quizzes": quizzes}
	return s.render(c, "author_quizzes", pg)
}

// bankQuestion is a question of the bank with its statistics.
type bankQuestion struct {
	Q       academy.Question
	View    viewQuestion // as a trainee sees it after submit, key included
	Stats   *academy.ItemStats
	Options []optionStat
}

type optionStat struct {
	academy.Option
	Count   int
	Correct bool
}

func (s *Server) authorQuiz(c *fiber.Ctx) error {
	return s.authorQuizForm(c, fiber.StatusOK, "")
}

func (s *Server) authorQuizForm(c *fiber.Ctx, status int, errMsg string) error {
	ctx := c.UserContext()
	q, err := s.Library.Quizzes.FindQuiz(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	attempts, err := s.Examiner.Attempts.ListFinishedAttempts(ctx, q.Slug)
	if err != nil {
		return err
	}
	stats := map[string]*academy.ItemStats{}
	items := academy.AnalyzeItems(attempts)
	for i := range items {
		stats[items[i].ID] = &items[i]
	}
	var bank []bankQuestion
	for _, qq := range q.Questions {
		b := bankQuestion{Q: qq, Stats: stats[qq.ID]}
		// Render as a learner sees the review with every detail shown.
		preview := &academy.Attempt{State: academy.AttemptSubmitted, Review: academy.ReviewExplanations,
			Questions: []academy.AttemptQuestion{{Question: qq, Source: q.Slug}}, Answers: map[string]academy.Response{}}
		b.View = s.viewQuestions(preview)[0]
		for _, o := range qq.Options {
			os := optionStat{Option: o}
			if b.Stats != nil {
				os.Count = b.Stats.Choices[o.ID]
			}
			os.Correct = o.ID == qq.Key.Choice || slices.Contains(qq.Key.Choices, o.ID)
			b.Options = append(b.Options, os)
		}
		bank = append(bank, b)
	}
	pg := s.newPage(c, "author.quizzes")
	pg.Error = errMsg
	pg.Data = map[string]any{"Quiz": q, "Bank": bank, "Graded": len(attempts), "Drawn": items,
		"TimeLimit": int(q.TimeLimit.Minutes()), "Cooldown": int(q.Cooldown.Minutes())}
	return s.renderStatus(c, status, "author_quiz", pg)
}

func (s *Server) authorQuizSettings(c *fiber.Ctx) error {
	base, err := formRevision(c)
	if err != nil {
		return err
	}
	set := academy.QuizSettings{Title: c.FormValue("title"),
		ShuffleQuestions: c.FormValue("shuffle_questions") == "on", ShuffleOptions: c.FormValue("shuffle_options") == "on",
		Layout: c.FormValue("layout"), Review: c.FormValue("review")}
	for _, f := range []struct {
		key string
		n   *int
	}{{"pass_mark", &set.PassMark}, {"max_attempts", &set.MaxAttempts}, {"time_limit", &set.TimeLimitMinutes}, {"cooldown", &set.CooldownMinutes}} {
		if *f.n, err = formInt(c, f.key); err != nil {
			return s.authorQuizForm(c, fiber.StatusBadRequest, academy.ErrorMessage(err))
		}
	}
	if _, err := s.Library.UpdateQuizSettings(c.UserContext(), c.Params("slug"), base, set, currentUser(c).ID); err != nil {
		if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.ECONFLICT {
			return s.authorQuizForm(c, codeStatus[code], academy.ErrorMessage(err))
		}
		return err
	}
	if err := s.refreshed(c); err != nil {
		return err
	}
	return redirectFlash(c, "/author/quizzes/"+c.Params("slug"), "quiz_saved")
}

// The question editor edits one question as YAML, in the same format as
// the files, so that what a trainer learns in one place works in the other.
func (s *Server) authorQuestion(c *fiber.Ctx) error {
	q, err := s.Library.Quizzes.FindQuiz(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	text := "id: \ntype: single\npoints: 1\ntags: []\nprompt: |\n  \noptions:\n  - {id: a, text: }\n  - {id: b, text: }\nanswer: a\nexplanation: |\n  \n"
	if id := c.Params("qid"); id != "new" {
		var found *academy.Question
		for i := range q.Questions {
			if q.Questions[i].ID == id {
				found = &q.Questions[i]
			}
		}
		if found == nil {
			return academy.Errorf(academy.ENOTFOUND, "测验 %q 中没有题目 %q / question %q not found in quiz %q", q.Slug, id, id, q.Slug)
		}
		b, err := content.QuestionYAML(found)
		if err != nil {
			return err
		}
		text = string(b)
	}
	return s.renderQuestionEditor(c, fiber.StatusOK, q, q.Revision, text, nil, "")
}

func (s *Server) renderQuestionEditor(c *fiber.Ctx, status int, q *academy.Quiz, base int, text string, preview *academy.Question, errMsg string) error {
	pg := s.newPage(c, "author.quizzes")
	pg.Error = errMsg
	d := map[string]any{"Quiz": q, "Base": base, "YAML": text}
	if preview != nil {
		a := &academy.Attempt{State: academy.AttemptSubmitted, Review: academy.ReviewExplanations,
			Questions: []academy.AttemptQuestion{{Question: *preview, Source: q.Slug}}, Answers: map[string]academy.Response{}}
		d["Preview"] = s.viewQuestions(a)[0]
		d["PreviewQ"] = preview
	}
	pg.Data = d
	return s.renderStatus(c, status, "author_question", pg)
}

func (s *Server) authorSaveQuestion(c *fiber.Ctx) error {
	q, err := s.Library.Quizzes.FindQuiz(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	base, err := formRevision(c)
	if err != nil {
		return err
	}
	text := c.FormValue("yaml")
	qq, problems := content.ParseQuestion([]byte(text))
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, pr := range problems {
			// The domain's problems are bilingual: pick the half before joining.
			msgs[i] = academy.MessageIn(s.lang(c), pr.String())
		}
		return s.renderQuestionEditor(c, fiber.StatusBadRequest, q, base, text, nil, strings.Join(msgs, "\n"))
	}
	if c.FormValue("action") == "preview" {
		return s.renderQuestionEditor(c, fiber.StatusOK, q, base, text, qq, "")
	}
	if _, err := s.Library.SaveQuestion(c.UserContext(), q.Slug, base, *qq, currentUser(c).ID); err != nil {
		if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.ECONFLICT {
			return s.renderQuestionEditor(c, codeStatus[code], q, base, text, qq, academy.ErrorMessage(err))
		}
		return err
	}
	if err := s.refreshed(c); err != nil {
		return err
	}
	return redirectFlash(c, "/author/quizzes/"+q.Slug, "question_saved")
}

func (s *Server) authorExportQuiz(c *fiber.Ctx) error {
	q, err := s.Library.Quizzes.FindQuiz(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	b, err := content.QuizYAML(q)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/yaml; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+q.Slug+`.yaml"`)
	return c.Send(b)
}

func (s *Server) apiItemAnalysis(c *fiber.Ctx) error {
	q, err := s.Library.Quizzes.FindQuiz(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	attempts, err := s.Examiner.Attempts.ListFinishedAttempts(c.UserContext(), q.Slug)
	if err != nil {
		return err
	}
	items := academy.AnalyzeItems(attempts)
	return c.JSON(fiber.Map{"quiz": q.Slug, "attempts": len(attempts), "items": items})
}
