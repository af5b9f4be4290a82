package academy

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The shapes of identifiers: one rule per kind, used both where a thing is
// created and wherever a request names one. Checked at the edge, they keep
// values that cannot name anything (a megabyte "username", control
// characters) out of the audit log, the throttle keys and the queries. The
// rules are public, so refusing a value by its shape tells nothing about
// which things exist.

var (
	usernameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$`)
	siteRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	slugRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)
	// sandboxRE: SandboxPrefix and a lowercased piece of a token.
	sandboxRE = regexp.MustCompile(`^` + SandboxPrefix + `[a-z0-9_-]{1,32}$`)
	// recordRE covers the ids the server makes itself: tokens (base64url),
	// object ids, "run-…", "case-…", and "<workspace>-000042" for tickets.
	recordRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	numberRE = regexp.MustCompile(`^[0-9]{1,9}$`)
)

// maxQuestionID bounds a question id, in bytes.
const maxQuestionID = 80

// ValidUsername reports whether s can be a username (in any letter case).
func ValidUsername(s string) bool { return usernameRE.MatchString(s) }

// ValidSiteID reports whether s can name a site.
func ValidSiteID(s string) bool { return siteRE.MatchString(s) }

// ValidSlug reports whether s can name a course, lesson, quiz, scenario or
// program.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// ValidWorkspaceID reports whether s can name a desk: a site or a sandbox.
func ValidWorkspaceID(s string) bool { return siteRE.MatchString(s) || sandboxRE.MatchString(s) }

// ValidRecordID reports whether s can be an id the server generated for an
// attempt, run, ticket, case, assignment or resident.
func ValidRecordID(s string) bool { return recordRE.MatchString(s) }

// ValidQuestionID reports whether s can be a question id: authors choose
// these, so the rule is loose, but they become field names in stored
// answers, hence no '.', '$' or '/'.
func ValidQuestionID(s string) bool {
	return strings.TrimSpace(s) != "" && len(s) <= maxQuestionID && !strings.ContainsAny(s, ". $/") &&
		utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// ValidCertificateNumber reports whether n has the shape of a number, so
// that the verification page refuses junk before touching the database.
func ValidCertificateNumber(n string) bool {
	if len(n) != len("AC-XXXX-XXXX-XXXX-XXXX") || !strings.HasPrefix(n, "AC") {
		return false
	}
	for i, r := range n[2:] {
		if i%5 == 0 {
			if r != '-' {
				return false
			}
		} else if !strings.ContainsRune(certAlphabet, r) {
			return false
		}
	}
	return true
}

// Ident is a kind of identifier that requests carry.
type Ident int

// The kinds of identifier.
const (
	IdentUsername Ident = iota
	IdentSite
	IdentWorkspace
	IdentSlug
	IdentRecord
	IdentQuestion
	IdentCertificate
	IdentNumber
)

var identRules = [...]struct {
	valid    func(string) bool
	zh, rule string
}{
	IdentUsername:  {ValidUsername, "2–32 个字母、数字、“.”“_”或“-”，以字母或数字开头", "2–32 letters, digits, '.', '_' or '-', starting with a letter or digit"},
	IdentSite:      {ValidSiteID, "项目编号：小写字母、数字和“-”，最多 64 个", "a site id: lowercase letters, digits and '-', at most 64"},
	IdentWorkspace: {ValidWorkspaceID, "项目或演练环境编号：小写字母、数字、“-”和“_”，最多 64 个", "a site id or a sandbox id: lowercase letters, digits, '-' and '_', at most 64"},
	IdentSlug:      {ValidSlug, "2–64 个小写字母、数字或“-”", "2–64 lowercase letters, digits or '-'"},
	IdentRecord:    {ValidRecordID, "最多 128 个字母、数字、“-”或“_”的编号", "an id of at most 128 letters, digits, '-' or '_'"},
	IdentQuestion:  {ValidQuestionID, "题目编号：最多 80 个字符，不含空格、控制字符、“.”“$”或“/”", "a question id: at most 80 characters, no spaces, control characters, '.', '$' or '/'"},
	// People type certificate numbers: any letter case will do.
	IdentCertificate: {func(s string) bool { return ValidCertificateNumber(strings.ToUpper(strings.TrimSpace(s))) },
		"证书编号，形如 AC-7K2M-9QXD-4HPW-T3NB", "a certificate number such as AC-7K2M-9QXD-4HPW-T3NB"},
	IdentNumber: {func(s string) bool { return numberRE.MatchString(s) }, "最多 9 位的整数", "a whole number of at most 9 digits"},
}

// CheckIdent returns an EINVALID error naming field unless value has the
// shape of kind. The message never repeats the value: it may be huge.
func CheckIdent(kind Ident, field, value string) error {
	r := identRules[kind]
	if r.valid(value) {
		return nil
	}
	return Errorf(EINVALID, "%s: 应为%s / must be %s", field, r.zh, r.rule)
}
