// Package academy is the domain of the training platform: its types, the
// service interfaces that storage implements, and the pure rules (grading,
// procedures, certification). It imports no framework so that the rules can
// be tested and reasoned about on their own.
package academy

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error codes. They are stable strings because API clients see them.
const (
	EINVALID      = "invalid"      // bad input: the message names the field
	ENOTFOUND     = "not_found"    // no such thing (or not visible to the caller)
	ECONFLICT     = "conflict"     // duplicate or stale write
	EUNAUTHORIZED = "unauthorized" // no valid session
	EFORBIDDEN    = "forbidden"    // known user without the permission
	ETOOMANY      = "too_many_requests"
	EUNAVAILABLE  = "unavailable" // a dependency (the database) is down
	EINTERNAL     = "internal"
)

// Error is a domain error whose Message is safe to show to the user.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("academy error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not ours
// and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic text so that nothing about the system leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return InternalMessage
}

// InternalMessage is all a user is told of an internal error.
const InternalMessage = "内部错误 / Internal error."

// Messages meant for people are written in both languages at once,
// "中文 / English" (optionally after a "field: " prefix), where they are
// made: the domain does not know who reads them. MessageIn is the one
// place that keeps the reader's half, at the edge where a message leaves
// the server (an error page or JSON body, a form shown again), so that a
// reader never sees both. A message in one language is returned as is;
// lang "zh" keeps the Chinese half, any other language the English one.
func MessageIn(lang, msg string) string {
	i := bilingualSplit(msg)
	if i < 0 {
		return msg
	}
	zh, en := msg[:i], msg[i+len(bilingualSep):]
	if lang == LangZH {
		return zh
	}
	// "field: 中文 / English": the field belongs to both halves.
	if p := fieldPrefix.FindString(zh); p != "" && !strings.HasPrefix(en, p) {
		en = p + en
	}
	return en
}

const bilingualSep = " / "

// JoinMessages joins several bilingual messages into the two halves of
// one, the Chinese halves and the English halves apart: joined whole, a
// reader's half would hold the other language of all but the last.
func JoinMessages(msgs []string) (zh, en string) {
	zhs, ens := make([]string, len(msgs)), make([]string, len(msgs))
	for i, m := range msgs {
		zhs[i], ens[i] = MessageIn(LangZH, m), MessageIn(LangEN, m)
	}
	return strings.Join(zhs, "；"), strings.Join(ens, "; ")
}

// fieldPrefix is the "name: " (or "answers.q1: ", "questions[q2]: ")
// that names the field a message is about; a content problem's
// "path:line: " too.
var fieldPrefix = regexp.MustCompile(`^(?:[A-Za-z0-9_.:/\[\]-]+: )+`)

// bilingualSplit finds the " / " between the halves of msg, or -1. Quoted
// values may hold " / " too (a title "A / B", in both halves): the
// separator is the first one with Chinese before it and, after it, an
// English half that starts outside Chinese and holds the fewest Chinese
// characters (only those of the quoted values).
func bilingualSplit(msg string) int {
	best, bestHan := -1, 0
	for i := 0; ; {
		j := strings.Index(msg[i:], bilingualSep)
		if j < 0 {
			return best
		}
		at := i + j
		i = at + len(bilingualSep)
		first, _ := utf8.DecodeRuneInString(msg[i:])
		if !hasHan(msg[:at]) || first == utf8.RuneError || unicode.Is(unicode.Han, first) || unicode.IsSpace(first) {
			continue
		}
		if n := countHan(msg[i:]); best < 0 || n < bestHan {
			best, bestHan = at, n
		}
	}
}

func hasHan(s string) bool { return countHan(s) > 0 }

func countHan(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			n++
		}
	}
	return n
}
