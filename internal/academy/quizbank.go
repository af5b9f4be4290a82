package academy

import (
	"context"
	"fmt"
)

// ImportQuizzes brings the stored quizzes in line with the files, with the
// same rules as courses: unchanged files change nothing, web edits are not
// overwritten without force, removed quizzes are archived (attempts stay).
func (l *Library) ImportQuizzes(ctx context.Context, files []*Quiz, actor string, force bool) (*ImportReport, error) {
	stored, err := l.Quizzes.ListQuizzes(ctx)
	if err != nil {
		return nil, err
	}
	bySlug := map[string]*Quiz{}
	for _, q := range stored {
		bySlug[q.Slug] = q
	}
	rep := &ImportReport{}
	now := l.Now()
	for _, f := range files {
		f.Hash = f.ContentHash()
		old := bySlug[f.Slug]
		prev := 0
		switch {
		case old == nil:
			f.Revision = 1
		case old.SourceHash == f.Hash && old.Status == CourseActive:
			rep.Unchanged = append(rep.Unchanged, f.Slug)
			continue
		case old.Hash != old.SourceHash && old.Hash != f.Hash && !force:
			rep.Skipped = append(rep.Skipped, f.Slug)
			rep.Notes = append(rep.Notes, fmt.Sprintf("quiz %s: edited in the web since the last import; export it and commit, or import with --force", f.Slug))
			continue
		default:
			prev, f.Revision = old.Revision, old.Revision+1
		}
		f.Status, f.SourceHash, f.UpdatedAt, f.UpdatedBy = CourseActive, f.Hash, now, actor
		if err := l.Quizzes.SaveQuiz(ctx, f, prev); err != nil {
			return rep, fmt.Errorf("import quiz %s: %w", f.Slug, err)
		}
		if old == nil {
			rep.Created = append(rep.Created, f.Slug)
		} else {
			rep.Updated = append(rep.Updated, f.Slug)
		}
	}
	inFiles, status := map[string]bool{}, map[string]string{}
	for _, f := range files {
		inFiles[f.Slug] = true
	}
	for _, q := range stored {
		status[q.Slug] = q.Status
	}
	return l.finishImport(ctx, rep, inFiles, status, l.Quizzes.SetQuizStatus)
}

// QuizSettings are the rules of a quiz that trainers change in the web.
type QuizSettings struct {
	Title                             string
	PassMark, MaxAttempts             int
	TimeLimitMinutes, CooldownMinutes int
	ShuffleQuestions, ShuffleOptions  bool
	Layout, Review                    string
}

func (l *Library) saveQuiz(ctx context.Context, q *Quiz, base int, author string, all map[string]*Quiz) (*Quiz, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if err := CheckDraws(q, all); err != nil {
		return nil, err
	}
	q.Revision, q.Hash, q.UpdatedAt, q.UpdatedBy = base+1, q.ContentHash(), l.Now(), author
	if err := l.Quizzes.SaveQuiz(ctx, q, base); err != nil {
		if ErrorCode(err) == ECONFLICT {
			return nil, Errorf(ECONFLICT, "测验《%s》已被他人更新(您编辑的是第 %d 版),请刷新后再保存 / The quiz changed since revision %d; reload and apply your change again.", q.Title, base, base)
		}
		return nil, err
	}
	if _, err := l.Courses.BumpContentVersion(ctx); err != nil {
		return nil, err
	}
	return q, nil
}

func (l *Library) quizAt(ctx context.Context, slug string, base int) (*Quiz, map[string]*Quiz, error) {
	all := map[string]*Quiz{}
	qs, err := l.Quizzes.ListQuizzes(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, q := range qs {
		all[q.Slug] = q
	}
	q := all[slug]
	if q == nil {
		return nil, nil, Errorf(ENOTFOUND, "测验 %q 不存在 / quiz %q not found", slug, slug)
	}
	if q.Revision != base {
		return nil, nil, Errorf(ECONFLICT, "测验《%s》已更新到第 %d 版(您编辑的是第 %d 版),请刷新后再保存 / The quiz is now at revision %d (you edited %d); reload and apply your change again.", q.Title, q.Revision, base, q.Revision, base)
	}
	return q, all, nil
}

// UpdateQuizSettings changes the rules of a quiz if it is still at base.
func (l *Library) UpdateQuizSettings(ctx context.Context, slug string, base int, s QuizSettings, author string) (*Quiz, error) {
	q, all, err := l.quizAt(ctx, slug, base)
	if err != nil {
		return nil, err
	}
	if s.TimeLimitMinutes < 0 || s.CooldownMinutes < 0 {
		return nil, Errorf(EINVALID, "time_limit: 分钟数不能为负数 / minutes cannot be negative")
	}
	q.Title, q.PassMark, q.MaxAttempts = s.Title, s.PassMark, s.MaxAttempts
	q.TimeLimit, q.Cooldown = minutes(s.TimeLimitMinutes), minutes(s.CooldownMinutes)
	q.ShuffleQuestions, q.ShuffleOptions, q.Layout, q.Review = s.ShuffleQuestions, s.ShuffleOptions, s.Layout, s.Review
	return l.saveQuiz(ctx, q, base, author, all)
}

// SaveQuestion replaces the question with the same id, or adds it.
func (l *Library) SaveQuestion(ctx context.Context, slug string, base int, qq Question, author string) (*Quiz, error) {
	q, all, err := l.quizAt(ctx, slug, base)
	if err != nil {
		return nil, err
	}
	if err := qq.Validate(); err != nil {
		return nil, err
	}
	replaced := false
	for i := range q.Questions {
		if q.Questions[i].ID == qq.ID {
			q.Questions[i], replaced = qq, true
		}
	}
	if !replaced {
		for s, other := range all {
			for _, oq := range other.Questions {
				if oq.ID == qq.ID && s != slug {
					return nil, Errorf(EINVALID, "id: %q 已经是测验 %s 的题目 / %q is already a question of quiz %s", qq.ID, s, qq.ID, s)
				}
			}
		}
		q.Questions = append(q.Questions, qq)
	}
	return l.saveQuiz(ctx, q, base, author, all)
}
