// Package academy is the domain of the training platform: its types, the
// service interfaces that storage implements, and the pure rules (grading,
// procedures, certification). It imports no framework so that the rules can
// be tested and reasoned about on their own.
package academy

import (
	"errors"
	"fmt"
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
	return "Internal error."
}
