package academy

// Permissions that routes declare. The role → permission policy lives in
// internal/authz (an embedded, reviewed file); which roles a user holds on
// which site comes from the user record.
const (
	PermUsersManage = "users:manage" // create, disable, reset accounts
	PermAuditRead   = "audit:read"   // read the security audit log
	PermSitesManage = "sites:manage" // create sites (物业项目)
	PermLearn       = "learn"        // read courses, record progress
	PermAuthor      = "content:author"
	PermAssign      = "assignments:manage" // assign courses to people on a site
	PermTickets     = "tickets:work"       // work live tickets of a site (the agent role)
	PermOversee     = "tickets:oversee"    // read a site's live tickets, act where the procedure names the manager (DeskManager)
	PermSandbox     = "sandbox:use"        // practise in one's own sandboxes
	PermCases       = "cases:create"       // turn closed live tickets into training cases
	PermTrainees    = "trainees:follow"    // see the runs and progress of learners on a site
	PermCerts       = "certs:manage"       // team certification dashboard, revoking certificates of a site
	PermPrograms    = "programs:manage"    // edit certification programs (admin only)
	PermDeskRules   = "desk_rules:manage"  // edit the company's and the sites' desk rules (admin only)
)

// Authorizer decides whether u may use perm on site. site "" asks whether u
// holds the permission on any site (for pages that are not about one site).
type Authorizer interface {
	Can(u *User, site, perm string) bool
	// CanEach answers Can for each of perms at one moment: the menu asks a
	// dozen questions on every page, and working out the user's grants
	// (and reading the clock) once per question was most of its cost.
	CanEach(u *User, site string, perms ...string) []bool
}
