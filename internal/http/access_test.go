package http_test

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

const anonymous = "anonymous"

var (
	everyone  = []string{anonymous, "trainee", "trainer", "manager", "othermanager", "agent", "admin"}
	loggedIn  = everyone[1:]
	adminOnly = []string{"admin"}
	learners  = loggedIn
	authors   = []string{"trainer", "admin"}
	assigners = []string{"trainer", "manager", "othermanager", "admin"}
	// certManagers see team certification and may revoke, on their sites.
	certManagers = []string{"manager", "othermanager", "admin"}
	// agents: the live desk of site s1 (the :ws of the matrix).
	agents = []string{"agent", "admin"}
	// overseers: also the manager of site s1, who reads its tickets and
	// acts where the procedure names the manager.
	overseers  = []string{"agent", "manager", "admin"}
	sandboxers = []string{"trainee", "trainer", "manager", "othermanager", "agent", "admin"}
	caseMakers = []string{"trainer", "admin"}
	followers  = []string{"trainer", "manager", "othermanager", "admin"}
	// scraperOnly: /metrics answers a loopback client or the metrics
	// token, never a session (the matrix's requests come from 0.0.0.0).
	scraperOnly = []string{}
)

// accessTable says who may use each route. Every registered route must have
// an entry, so a new route cannot ship without deciding who may use it.
var accessTable = map[string][]string{
	"GET /healthz":                                          everyone,
	"GET /favicon.ico":                                      everyone,
	"GET /readyz":                                           everyone,
	"GET /metrics":                                          scraperOnly,
	"GET /notifications":                                    loggedIn,
	"POST /notifications/read":                              loggedIn,
	"GET /account/notifications":                            loggedIn,
	"POST /account/notifications":                           loggedIn,
	"GET /api/v1/notifications":                             loggedIn,
	"POST /api/v1/notifications/read":                       loggedIn,
	"GET /api/v1/me/notification-preferences":               loggedIn,
	"PUT /api/v1/me/notification-preferences":               loggedIn,
	"GET /admin/notifications":                              adminOnly,
	"POST /admin/notifications/resend":                      adminOnly,
	"GET /sites/:site/robot":                                overseers[1:],
	"POST /sites/:site/robot":                               overseers[1:],
	"GET /api/v1/sites/:site/robot":                         overseers[1:],
	"PUT /api/v1/sites/:site/robot":                         overseers[1:],
	"GET /":                                                 everyone,
	"GET /login":                                            everyone,
	"POST /login":                                           everyone,
	"GET /login/oidc":                                       everyone,
	"GET /login/oidc/callback":                              everyone,
	"GET /login/wecom":                                      everyone,
	"GET /login/wecom/callback":                             everyone,
	"GET /login/dingtalk":                                   everyone,
	"GET /login/dingtalk/callback":                          everyone,
	"GET /login/feishu":                                     everyone,
	"GET /login/feishu/callback":                            everyone,
	"POST /lang":                                            everyone,
	"POST /logout":                                          loggedIn,
	"GET /home":                                             loggedIn,
	"GET /account":                                          loggedIn,
	"POST /account/profile":                                 loggedIn,
	"POST /account/password":                                loggedIn,
	"GET /admin/users":                                      adminOnly,
	"GET /admin/users/new":                                  adminOnly,
	"GET /admin/users/import":                               adminOnly,
	"POST /admin/users/import":                              adminOnly,
	"GET /set-password/:token":                              everyone,
	"POST /set-password/:token":                             everyone,
	"POST /api/v1/users/import":                             adminOnly,
	"POST /admin/users":                                     adminOnly,
	"GET /admin/users/:username":                            adminOnly,
	"POST /admin/users/:username":                           adminOnly,
	"POST /admin/users/:username/status":                    adminOnly,
	"POST /admin/users/:username/password":                  adminOnly,
	"GET /admin/audit":                                      adminOnly,
	"POST /api/v1/auth/login":                               everyone,
	"POST /api/v1/auth/logout":                              loggedIn,
	"GET /api/v1/me":                                        loggedIn,
	"POST /api/v1/me/password":                              loggedIn,
	"GET /api/v1/users":                                     adminOnly,
	"POST /api/v1/users":                                    adminOnly,
	"GET /api/v1/users/:username":                           adminOnly,
	"PATCH /api/v1/users/:username":                         adminOnly,
	"POST /api/v1/users/:username/password":                 adminOnly,
	"GET /admin/sites":                                      adminOnly,
	"POST /admin/sites":                                     adminOnly,
	"GET /admin/sites/:site":                                adminOnly,
	"POST /admin/sites/:site/settings":                      adminOnly,
	"GET /admin/sites/:site/export":                         adminOnly,
	"POST /admin/sites/:site/import":                        adminOnly,
	"POST /admin/sites/:site/flats":                         adminOnly,
	"GET /admin/sites/:site/flats/:id":                      adminOnly,
	"POST /admin/sites/:site/flats/:id":                     adminOnly,
	"POST /admin/sites/:site/flats/:id/delete":              adminOnly,
	"POST /admin/sites/:site/residents":                     adminOnly,
	"GET /admin/sites/:site/residents/:id":                  adminOnly,
	"POST /admin/sites/:site/residents/:id":                 adminOnly,
	"POST /admin/sites/:site/residents/:id/delete":          adminOnly,
	"POST /admin/sites/:site/members":                       adminOnly,
	"GET /admin/sites/:site/members/:id":                    adminOnly,
	"POST /admin/sites/:site/members/:id":                   adminOnly,
	"POST /admin/sites/:site/members/:id/delete":            adminOnly,
	"GET /api/v1/sites":                                     adminOnly,
	"POST /api/v1/sites":                                    adminOnly,
	"PATCH /api/v1/sites/:site":                             adminOnly,
	"GET /admin/calendar":                                   adminOnly,
	"POST /admin/calendar":                                  adminOnly,
	"GET /admin/sites/:site/calendar":                       adminOnly,
	"POST /admin/sites/:site/calendar":                      adminOnly,
	"POST /admin/sites/:site/calendar/delete":               adminOnly,
	"GET /api/v1/calendar":                                  adminOnly,
	"PUT /api/v1/calendar":                                  adminOnly,
	"GET /api/v1/sites/:site/calendar":                      adminOnly,
	"PUT /api/v1/sites/:site/calendar":                      adminOnly,
	"DELETE /api/v1/sites/:site/calendar":                   adminOnly,
	"GET /courses":                                          learners,
	"GET /courses/:slug":                                    learners,
	"GET /courses/:slug/lessons/:lesson":                    learners,
	"POST /courses/:slug/lessons/:lesson/complete":          learners,
	"GET /courses/:slug/assets/*":                           learners,
	"GET /assignments":                                      assigners,
	"POST /assignments":                                     assigners,
	"GET /assignments/:id":                                  assigners,
	"POST /assignments/:id/delete":                          assigners,
	"GET /author":                                           authors,
	"POST /author/courses":                                  authors,
	"GET /author/courses/:slug":                             authors,
	"POST /author/courses/:slug":                            authors,
	"GET /author/courses/:slug/lessons/:lesson":             authors,
	"POST /author/courses/:slug/lessons":                    authors,
	"GET /author/courses/:slug/revisions":                   authors,
	"GET /author/courses/:slug/revisions/:n":                authors,
	"POST /author/courses/:slug/revisions/:n/restore":       authors,
	"GET /author/courses/:slug/export":                      authors,
	"GET /api/v1/courses":                                   learners,
	"GET /api/v1/courses/:slug":                             learners,
	"GET /api/v1/courses/:slug/lessons/:lesson":             learners,
	"PUT /api/v1/courses/:slug/lessons/:lesson":             authors,
	"POST /api/v1/courses/:slug/lessons/:lesson/complete":   learners,
	"PUT /api/v1/courses/:slug/lessons/:lesson/position":    learners,
	"GET /api/v1/me/progress":                               learners,
	"POST /api/v1/markdown/preview":                         authors,
	"GET /api/v1/assignments":                               assigners,
	"POST /api/v1/assignments":                              assigners,
	"DELETE /api/v1/assignments/:id":                        assigners,
	"GET /quizzes":                                          learners,
	"GET /quizzes/:slug":                                    learners,
	"POST /quizzes/:slug/start":                             learners,
	"GET /attempts/:id":                                     learners,
	"POST /attempts/:id":                                    learners,
	"GET /author/quizzes":                                   authors,
	"GET /author/quizzes/:slug":                             authors,
	"POST /author/quizzes/:slug":                            authors,
	"GET /author/quizzes/:slug/questions/:qid":              authors,
	"POST /author/quizzes/:slug/questions":                  authors,
	"GET /author/quizzes/:slug/export":                      authors,
	"GET /api/v1/quizzes":                                   learners,
	"POST /api/v1/quizzes/:slug/attempts":                   learners,
	"GET /api/v1/quizzes/:slug/analysis":                    authors,
	"GET /api/v1/attempts/:id":                              learners,
	"PUT /api/v1/attempts/:id/answers":                      learners,
	"POST /api/v1/attempts/:id/submit":                      learners,
	"GET /api/v1/me/attempts":                               learners,
	"GET /desk":                                             loggedIn,
	"POST /sandboxes":                                       sandboxers,
	"GET /desk/:ws":                                         overseers,
	"GET /desk/:ws/new":                                     agents,
	"POST /desk/:ws/tickets":                                agents,
	"GET /desk/:ws/tickets/:id":                             overseers,
	"POST /desk/:ws/tickets/:id":                            overseers,
	"POST /desk/:ws/tickets/:id/reveal":                     agents,
	"POST /desk/:ws/clock":                                  agents,
	"POST /desk/:ws/reset":                                  agents,
	"GET /author/cases":                                     caseMakers,
	"POST /author/cases":                                    caseMakers,
	"GET /author/cases/:id":                                 caseMakers,
	"GET /api/v1/workspaces/:ws/tickets":                    overseers,
	"POST /api/v1/workspaces/:ws/tickets":                   agents,
	"GET /api/v1/workspaces/:ws/tickets/:id":                overseers,
	"POST /api/v1/workspaces/:ws/tickets/:id/transitions":   overseers,
	"POST /api/v1/workspaces/:ws/tickets/:id/training-case": caseMakers,
	"GET /api/v1/workspaces/:ws/directory":                  agents,
	"POST /api/v1/workspaces/:ws/residents/:rid/phone":      agents,
	"GET /api/v1/sandboxes":                                 sandboxers,
	"POST /api/v1/sandboxes":                                sandboxers,
	"POST /api/v1/sandboxes/:ws/clock":                      agents,
	"POST /api/v1/sandboxes/:ws/reset":                      agents,
	"GET /scenarios":                                        learners,
	"GET /scenarios/:slug":                                  learners,
	"POST /scenarios/:slug/runs":                            sandboxers,
	"GET /runs/:id":                                         learners,
	"POST /runs/:id/choices":                                learners,
	"POST /runs/:id/done":                                   learners,
	"GET /runs/:id/debrief":                                 loggedIn,
	"GET /author/cases/:id/scenario.yaml":                   caseMakers,
	"GET /author/runs":                                      followers,
	"GET /api/v1/scenarios":                                 learners,
	"POST /api/v1/scenarios/:slug/runs":                     sandboxers,
	"GET /api/v1/runs/:id":                                  learners,
	"POST /api/v1/runs/:id/choices":                         learners,
	"POST /api/v1/runs/:id/done":                            learners,
	"GET /api/v1/runs/:id/debrief":                          loggedIn,
	"GET /api/v1/audit":                                     adminOnly,
	"GET /certificates":                                     learners,
	"GET /certificates/:number/pdf":                         loggedIn,
	"GET /certificates/:number/credential":                  loggedIn,
	"POST /certificates/:number/revoke":                     certManagers,
	"POST /certificates/:number/reinstate":                  certManagers,
	"GET /credentials/status/:list":                         everyone,
	"GET /programs/:slug":                                   everyone,
	"GET /verify":                                           everyone,
	"GET /verify/:number":                                   everyone,
	"GET /verify/:number/status":                            everyone,
	"GET /issuer":                                           everyone,
	"GET /team":                                             certManagers,
	"GET /team/export/:format":                              certManagers,
	"GET /team/quality":                                     certManagers,
	"GET /team/quality/export/:format":                      certManagers,
	"GET /team/quality/agents/:username":                    certManagers,
	"GET /api/v1/team/quality":                              certManagers,
	"POST /team/quality/settings":                           adminOnly,
	"GET /api/v1/quality/settings":                          certManagers,
	"PUT /api/v1/quality/settings":                          adminOnly,
	"POST /team/quality/reviews/:id":                        certManagers,
	"POST /api/v1/team/quality/reviews/:id":                 certManagers,
	"GET /team/people/:username":                            certManagers,
	"GET /team/weak-spots":                                  certManagers,
	"GET /learners/:username":                               followers,
	"POST /learners/:username/quizzes/:slug/grants":         followers,
	"POST /api/v1/users/:username/quizzes/:slug/grants":     followers,
	"GET /admin/xapi":                                       adminOnly,
	"GET /admin/programs":                                   adminOnly,
	"GET /admin/desk-rules":                                 adminOnly,
	"POST /admin/desk-rules":                                adminOnly,
	"GET /admin/desk-rules/revisions/:rev":                  adminOnly,
	"POST /admin/desk-rules/revisions/:rev/restore":         adminOnly,
	"GET /api/v1/desk-rules":                                adminOnly,
	"POST /api/v1/desk-rules":                               adminOnly,
	"GET /api/v1/desk-rules/revisions":                      adminOnly,
	"GET /api/v1/desk-rules/revisions/:rev":                 adminOnly,
	"POST /api/v1/desk-rules/revisions/:rev/restore":        adminOnly,
	"GET /admin/programs/:slug":                             adminOnly,
	"POST /admin/programs":                                  adminOnly,
}

// params fills route parameters with values that exist (or, for :id and
// :number, have the right shape). The replacer tries its pairs in order,
// so :number comes before :n.
var params = strings.NewReplacer(":username", "trainee", ":slug", "ethics", ":lesson", "role-of-the-desk",
	":number", "AC-0000-0000-0000-0000", ":n", "1", ":id", "000000000000000000000000", "*", "flow.svg",
	":qid", "new", ":ws", "s1", ":rid", "r1", ":format", "csv", ":list", "1", ":site", "s1", ":token", "no-such-link", ":rev", "c1")

func TestAccessMatrix(t *testing.T) {
	e := newEnv(t)
	// The :slug quiz opens after its course: the matrix is about roles,
	// the gates have tests of their own.
	for _, who := range loggedIn {
		e.finishCourses(who, "ethics")
	}
	seen := map[string]bool{}
	for _, r := range e.srv.Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		allowed, ok := accessTable[key]
		if !ok {
			t.Errorf("route %s has no entry in the access table", key)
			continue
		}
		for _, who := range everyone {
			if strings.Contains(r.Path, "logout") && who != anonymous {
				// Logging out ends the session: use a throwaway one.
				e.tokens[who] = e.login(who, testPassword)
			}
			req := httptest.NewRequest(r.Method, params.Replace(r.Path), nil)
			if who != anonymous {
				req.Header.Set("Authorization", "Bearer "+e.tokens[who])
			}
			res := e.do(req)
			denied := res.StatusCode == 401 || res.StatusCode == 403 ||
				(res.StatusCode == 303 && strings.HasPrefix(res.Header.Get("Location"), "/login?next="))
			if want := slices.Contains(allowed, who); want == denied {
				t.Errorf("%s as %s: status %d (location %q), want allowed=%v", key, who, res.StatusCode, res.Header.Get("Location"), want)
			}
			if res.StatusCode >= 500 {
				t.Errorf("%s as %s: server error %d: %s", key, who, res.StatusCode, res.Body)
			}
			if strings.Contains(r.Path, "logout") && who != anonymous {
				e.tokens[who] = e.login(who, testPassword)
			}
		}
	}
	for key := range accessTable {
		if !seen[key] {
			t.Errorf("access table names %s, which is not registered", key)
		}
	}
}
