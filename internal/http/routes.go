package http

import (
	"io/fs"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// registerOpsRoutes registers the routes for probes and the metrics
// scraper. They come before the session middleware: they need no session,
// must answer while the database is down, and the scraper's bearer token
// is not a session token to look up.
func (s *Server) registerOpsRoutes() {
	s.handle(fiber.MethodGet, "/healthz", public, s.healthz)
	s.handle(fiber.MethodGet, "/readyz", public, s.readyz)
	s.handle(fiber.MethodGet, "/metrics", public, s.metricsHandler())
	// Browsers ask for /favicon.ico whatever the page links; it needs no
	// session.
	s.handle(fiber.MethodGet, "/favicon.ico", public, s.favicon)
}

// favicon answers with the site's icon; pages link the SVG one.
func (s *Server) favicon(c *fiber.Ctx) error {
	b, err := fs.ReadFile(s.Web, "static/favicon.ico")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/x-icon")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(b)
}

func (s *Server) registerRoutes() {
	get, post := fiber.MethodGet, fiber.MethodPost
	admin := perm(academy.PermUsersManage)
	learn, author, assign := perm(academy.PermLearn), perm(academy.PermAuthor), perm(academy.PermAssign)

	// Web: sessions and shell.
	s.handle(get, "/", public, s.root)
	s.handle(get, "/login", public, s.loginPage)
	s.app.Post("/login", s.throttleLogins)
	s.handle(post, "/login", public, s.loginSubmit)
	s.handle(get, "/login/oidc", public, s.oidcStart)
	s.handle(get, oidcCallback, public, s.oidcCallbackPage)
	for _, w := range workPlatforms {
		s.handle(get, w.path(), public, s.workStart(w))
		s.handle(get, w.callbackPath(), public, s.workCallback(w))
	}
	s.handle(post, "/logout", loggedIn, s.logoutSubmit)
	s.handle(post, "/lang", public, s.setLang)
	s.handle(get, "/home", loggedIn, s.home)
	s.handle(get, "/account", loggedIn, s.accountPage)
	s.handle(post, "/account/profile", loggedIn, s.accountProfile)
	s.handle(post, "/account/password", loggedIn, s.accountPassword)
	s.handle(get, "/set-password/:token", public, s.setPasswordPage)
	s.handle(post, "/set-password/:token", public, s.setPasswordSubmit)

	// Web: administration.
	s.handle(get, "/admin/users", admin, s.adminUsers)
	s.handle(get, "/admin/users/new", admin, s.adminUserNew)
	s.handle(get, "/admin/users/import", admin, s.adminUserImportPage)
	s.handle(post, "/admin/users/import", admin, s.adminUserImport)
	s.handle(post, "/admin/users", admin, s.adminUserCreate)
	s.handle(get, "/admin/users/:username", admin, s.adminUser)
	s.handle(post, "/admin/users/:username", admin, s.adminUserSave)
	s.handle(post, "/admin/users/:username/status", admin, s.adminUserStatus)
	s.handle(post, "/admin/users/:username/password", admin, s.adminUserPassword)
	s.handle(get, "/admin/audit", perm(academy.PermAuditRead), s.adminAudit)
	s.handle(get, "/admin/sites", perm(academy.PermSitesManage), s.adminSites)
	s.handle(post, "/admin/sites", perm(academy.PermSitesManage), s.adminSiteCreate)
	s.registerSiteRoutes(get, post)
	s.registerCalendarRoutes(get, post)

	// Web: learning.
	s.handle(get, "/courses", learn, s.coursesPage)
	s.handle(get, "/courses/:slug", learn, s.coursePage)
	s.handle(get, "/courses/:slug/lessons/:lesson", learn, s.lessonPage)
	s.handle(post, "/courses/:slug/lessons/:lesson/complete", learn, s.lessonComplete)
	s.handle(get, "/courses/:slug/assets/*", learn, s.courseAsset)
	s.handle(get, "/assignments", assign, s.assignmentsPage)
	s.handle(post, "/assignments", assign, s.assignmentCreate)
	s.handle(get, "/assignments/:id", assign, s.assignmentPage)
	s.handle(post, "/assignments/:id/delete", assign, s.assignmentDelete)

	s.handle(get, "/quizzes", learn, s.quizzesPage)
	s.handle(get, "/quizzes/:slug", learn, s.quizPage)
	s.handle(post, "/quizzes/:slug/start", learn, s.quizStart)
	s.handle(get, "/attempts/:id", learn, s.attemptPage)
	s.handle(post, "/attempts/:id", learn, s.attemptSave)

	s.handle(get, "/desk", loggedIn, s.deskHome)
	s.handle(post, "/sandboxes", perm(academy.PermSandbox), s.sandboxOpen)
	s.handle(get, "/desk/:ws", oversee, s.deskPage)
	s.handle(get, "/desk/:ws/new", workspace, s.deskNew)
	s.handle(post, "/desk/:ws/tickets", workspace, s.deskCreate)
	s.handle(get, "/desk/:ws/tickets/:id", oversee, s.ticketPage)
	s.handle(post, "/desk/:ws/tickets/:id", oversee, s.ticketAct)
	s.handle(post, "/desk/:ws/tickets/:id/reveal", workspace, s.ticketReveal)
	s.handle(post, "/desk/:ws/clock", workspace, s.sandboxClock)
	s.handle(post, "/desk/:ws/reset", workspace, s.sandboxReset)

	s.handle(get, "/scenarios", learn, s.scenariosPage)
	s.handle(get, "/scenarios/:slug", learn, s.scenarioPage)
	s.handle(post, "/scenarios/:slug/runs", perm(academy.PermSandbox), s.runStart)
	s.handle(get, "/runs/:id", learn, s.runPage)
	s.handle(post, "/runs/:id/choices", learn, s.runChoose)
	s.handle(post, "/runs/:id/done", learn, s.runDone)
	s.handle(get, "/runs/:id/debrief", loggedIn, s.debriefPage)
	s.handle(get, "/author/runs", perm(academy.PermTrainees), s.trainerRuns)

	// Web: authoring.
	s.handle(get, "/author", author, s.authorPage)
	s.handle(post, "/author/courses", author, s.authorCreate)
	s.handle(get, "/author/courses/:slug", author, s.authorCourse)
	s.handle(post, "/author/courses/:slug", author, s.authorUpdate)
	s.handle(get, "/author/courses/:slug/lessons/:lesson", author, s.authorLesson)
	s.handle(post, "/author/courses/:slug/lessons", author, s.authorSaveLesson)
	s.handle(get, "/author/courses/:slug/revisions", author, s.authorRevisions)
	s.handle(get, "/author/courses/:slug/revisions/:n", author, s.authorRevision)
	s.handle(post, "/author/courses/:slug/revisions/:n/restore", author, s.authorRestore)
	s.handle(get, "/author/courses/:slug/export", author, s.authorExport)
	s.handle(get, "/author/quizzes", author, s.authorQuizzes)
	s.handle(get, "/author/quizzes/:slug", author, s.authorQuiz)
	s.handle(post, "/author/quizzes/:slug", author, s.authorQuizSettings)
	s.handle(get, "/author/quizzes/:slug/questions/:qid", author, s.authorQuestion)
	s.handle(post, "/author/quizzes/:slug/questions", author, s.authorSaveQuestion)
	s.handle(get, "/author/quizzes/:slug/export", author, s.authorExportQuiz)
	s.handle(get, "/author/cases", perm(academy.PermCases), s.casesPage)
	s.handle(post, "/author/cases", perm(academy.PermCases), s.caseCreate)
	s.handle(get, "/author/cases/:id", perm(academy.PermCases), s.casePage)
	s.handle(get, "/author/cases/:id/scenario.yaml", perm(academy.PermCases), s.caseScenario)

	s.registerCertRoutes(get, post)
	s.registerLearnerRoutes(get, post)
	s.registerProgramRoutes(get, post)
	s.registerDeskRulesRoutes(get, post)
	s.registerNotifyRoutes(get, post)
	s.registerQualityRoutes(get, post)

	// API.
	s.app.Post("/api/v1/auth/login", s.throttleLogins)
	s.handle(post, "/api/v1/auth/login", public, s.apiLogin)
	s.handle(post, "/api/v1/auth/logout", loggedIn, s.apiLogout)
	s.handle(get, "/api/v1/me", loggedIn, s.apiMe)
	s.handle(post, "/api/v1/me/password", loggedIn, s.apiChangePassword)
	s.handle(get, "/api/v1/users", admin, s.apiListUsers)
	s.handle(post, "/api/v1/users", admin, s.apiCreateUser)
	s.handle(post, "/api/v1/users/import", admin, s.apiImportUsers)
	s.handle(get, "/api/v1/users/:username", admin, s.apiGetUser)
	s.handle(fiber.MethodPatch, "/api/v1/users/:username", admin, s.apiPatchUser)
	s.handle(post, "/api/v1/users/:username/password", admin, s.apiResetPassword)
	s.handle(get, "/api/v1/audit", perm(academy.PermAuditRead), s.apiListAudit)
	s.handle(get, "/api/v1/courses", learn, s.apiCourses)
	s.handle(get, "/api/v1/courses/:slug", learn, s.apiCourse)
	s.handle(get, "/api/v1/courses/:slug/lessons/:lesson", learn, s.apiLesson)
	s.handle(fiber.MethodPut, "/api/v1/courses/:slug/lessons/:lesson", author, s.apiPutLesson)
	s.handle(post, "/api/v1/courses/:slug/lessons/:lesson/complete", learn, s.apiLessonComplete)
	s.handle(fiber.MethodPut, "/api/v1/courses/:slug/lessons/:lesson/position", learn, s.apiLessonPosition)
	s.handle(get, "/api/v1/me/progress", learn, s.apiMyProgress)
	s.handle(post, "/api/v1/markdown/preview", author, s.apiPreview)
	s.handle(get, "/api/v1/quizzes", learn, s.apiQuizzes)
	s.handle(post, "/api/v1/quizzes/:slug/attempts", learn, s.apiStartAttempt)
	s.handle(get, "/api/v1/quizzes/:slug/analysis", author, s.apiItemAnalysis)
	s.handle(get, "/api/v1/attempts/:id", learn, s.apiGetAttempt)
	s.handle(fiber.MethodPut, "/api/v1/attempts/:id/answers", learn, s.apiSaveAnswers)
	s.handle(post, "/api/v1/attempts/:id/submit", learn, s.apiSubmit)
	s.handle(get, "/api/v1/me/attempts", learn, s.apiMyAttempts)
	s.handle(get, "/api/v1/workspaces/:ws/tickets", oversee, s.apiListTickets)
	s.handle(post, "/api/v1/workspaces/:ws/tickets", workspace, s.apiCreateTicket)
	s.handle(get, "/api/v1/workspaces/:ws/tickets/:id", oversee, s.apiGetTicket)
	s.handle(post, "/api/v1/workspaces/:ws/tickets/:id/transitions", oversee, s.apiTransition)
	// The site is checked by the handler, which answers another site's
	// ticket like a missing one.
	s.handle(post, "/api/v1/workspaces/:ws/tickets/:id/training-case", perm(academy.PermCases), s.apiCreateCase)
	s.handle(get, "/api/v1/workspaces/:ws/directory", workspace, s.apiDirectory)
	s.handle(post, "/api/v1/workspaces/:ws/residents/:rid/phone", workspace, s.apiRevealPhone)
	s.handle(get, "/api/v1/sandboxes", perm(academy.PermSandbox), s.apiSandboxes)
	s.handle(post, "/api/v1/sandboxes", perm(academy.PermSandbox), s.apiOpenSandbox)
	s.handle(post, "/api/v1/sandboxes/:ws/clock", workspace, s.apiSandboxClock)
	s.handle(post, "/api/v1/sandboxes/:ws/reset", workspace, s.apiSandboxReset)
	s.handle(get, "/api/v1/scenarios", learn, s.apiScenarios)
	s.handle(post, "/api/v1/scenarios/:slug/runs", perm(academy.PermSandbox), s.runStart)
	s.handle(get, "/api/v1/runs/:id", learn, s.apiGetRun)
	s.handle(post, "/api/v1/runs/:id/choices", learn, s.apiChoose)
	s.handle(post, "/api/v1/runs/:id/done", learn, s.apiDone)
	s.handle(get, "/api/v1/runs/:id/debrief", loggedIn, s.apiDebrief)
	s.handle(get, "/api/v1/assignments", assign, s.apiAssignments)
	s.handle(post, "/api/v1/assignments", assign, s.apiCreateAssignment)
	s.handle(fiber.MethodDelete, "/api/v1/assignments/:id", assign, s.apiDeleteAssignment)
	s.handle(get, "/api/v1/sites", perm(academy.PermSitesManage), s.apiListSites)
	s.handle(post, "/api/v1/sites", perm(academy.PermSitesManage), s.apiCreateSite)
	s.handle(fiber.MethodPatch, "/api/v1/sites/:site", perm(academy.PermSitesManage), s.apiPatchSite)
}

func (s *Server) root(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/home", fiber.StatusSeeOther)
	}
	return c.Redirect("/login", fiber.StatusSeeOther)
}

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok", "version": s.Version})
}

func (s *Server) readyz(c *fiber.Ctx) error {
	if err := s.DB.Ping(c.UserContext()); err != nil {
		c.Set(fiber.HeaderRetryAfter, "5")
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{
			"status": "unavailable", "message": "database unreachable: " + academy.ErrorMessage(err),
		})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

func (s *Server) setLang(c *fiber.Ctx) error {
	lang := c.FormValue("lang")
	if !s.locales.Has(lang) {
		return academy.Errorf(academy.EINVALID, "lang: 不支持的语言 %q / unsupported language %q", lang, lang)
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: fiber.CookieSameSiteLaxMode})
	if u := currentUser(c); u != nil {
		if _, err := s.Accounts.UpdateProfile(c.UserContext(), u.ID, u.DisplayName, lang); err != nil {
			return err
		}
	}
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}
