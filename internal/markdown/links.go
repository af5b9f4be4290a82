package markdown

import (
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/yuin/goldmark/util"
)

const externalRel = "noopener noreferrer"

var (
	// urlScheme matches a scheme as in RFC 3986 ("https:", "mailto:").
	urlScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
	// lessonFile matches a lesson file name "NN-<slug>.md"; group 1 is the slug.
	lessonFile = regexp.MustCompile(`^[0-9]+-([a-z0-9][a-z0-9-]*)\.md$`)
)

// isRelative reports whether dest points into the course folder.
func isRelative(dest string) bool {
	if dest == "" || urlScheme.MatchString(dest) {
		return false
	}
	switch dest[0] {
	case '/', '#', '?':
		return false
	}
	return true
}

// isExternal reports whether dest leaves the site.
func isExternal(dest string) bool {
	lower := strings.ToLower(dest)
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") ||
		strings.HasPrefix(lower, "//")
}

// resolve maps a relative destination to the course's URL space: lesson files
// to their lesson page, everything else to the course's assets. It refuses
// destinations that leave the course folder.
func resolve(base, dest string) (string, bool) {
	p, suffix := dest, ""
	if i := strings.IndexAny(dest, "?#"); i >= 0 {
		p, suffix = dest[:i], dest[i:]
	}
	// Browsers decode "%2e%2e" to ".." and treat "\" as "/", so check the
	// path as they will see it.
	decoded, err := url.PathUnescape(p)
	if err != nil {
		return "", false
	}
	seen := path.Clean(strings.ReplaceAll(decoded, `\`, "/"))
	if seen == "." || seen == ".." || strings.HasPrefix(seen, "../") || strings.HasPrefix(seen, "/") {
		return "", false
	}
	clean := path.Clean(p)
	if m := lessonFile.FindStringSubmatch(clean); m != nil {
		return base + "/lessons/" + m[1] + suffix, true
	}
	return base + "/assets/" + clean + suffix, true
}

// unescapeDest returns a destination as the author meant it: goldmark keeps
// backslash escapes and character references in Destination and resolves
// them only when rendering.
func unescapeDest(dest []byte) string {
	return string(util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(dest))))
}

// escapeDest undoes unescapeDest for a destination that goldmark will
// unescape again when rendering.
func escapeDest(dest string) []byte {
	dest = strings.ReplaceAll(dest, `\`, `\\`)
	return []byte(strings.ReplaceAll(dest, "&", "&amp;"))
}
