package http

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

var codeStatus = map[string]int{
	academy.EINVALID:      fiber.StatusBadRequest,
	academy.ENOTFOUND:     fiber.StatusNotFound,
	academy.ECONFLICT:     fiber.StatusConflict,
	academy.EUNAUTHORIZED: fiber.StatusUnauthorized,
	academy.EFORBIDDEN:    fiber.StatusForbidden,
	academy.ETOOMANY:      fiber.StatusTooManyRequests,
	academy.EUNAVAILABLE:  fiber.StatusServiceUnavailable,
	academy.EINTERNAL:     fiber.StatusInternalServerError,
}

// statusCode maps statuses that Fiber itself produces back to domain codes.
func statusCode(status int) string {
	for code, st := range codeStatus {
		if st == status {
			return code
		}
	}
	switch {
	case status == fiber.StatusRequestEntityTooLarge, status == fiber.StatusMethodNotAllowed, status == fiber.StatusUnsupportedMediaType:
		return academy.EINVALID
	case status < 500:
		return academy.EINVALID
	}
	return academy.EINTERNAL
}

// localJSONErrors marks a request outside /api/ whose client is a program
// (a verifier asking for JSON, the metrics scraper): its errors are JSON too.
const localJSONErrors = "json_errors"

type apiError struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"request_id,omitempty"`
	} `json:"error"`
}

// handleError is the one place where errors become responses: JSON on the
// API, a page in the UI, a redirect to the login page for a web visitor
// without a session. Internal errors are logged with the request id and shown
// without details.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	var status int
	var code, msg string
	var fe *fiber.Error
	if errors.As(err, &fe) {
		status, code, msg = fe.Code, statusCode(fe.Code), fe.Message
		switch fe.Code {
		case fiber.StatusRequestEntityTooLarge:
			msg = fmt.Sprintf("请求内容过大,最多 %d MiB / Request body too large: at most %d MiB.", bodyLimit>>20, bodyLimit>>20)
		case fiber.StatusRequestHeaderFieldsTooLarge:
			msg = fmt.Sprintf("请求头过大,请求行与请求头合计最多 %d KiB / Request headers too large: the request line and headers together take at most %d KiB.", headerLimit>>10, headerLimit>>10)
		}
	} else {
		code = academy.ErrorCode(err)
		status, msg = codeStatus[code], academy.ErrorMessage(err)
		if code == academy.EINTERNAL {
			// An EINTERNAL *academy.Error has a message too ("attempt
			// a1: <store error>"): it is for the log, in English.
			msg = academy.InternalMessage
		}
	}
	if status >= 500 {
		s.Logger.Error("request failed", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "status", status, "err", err)
	}
	if status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	if isAPI(c) || c.Locals(localJSONErrors) == true || verifierWantsJSON(c) {
		var body apiError
		body.Error.Code, body.Error.Message = code, academy.MessageIn(s.apiLang(c), msg)
		if status >= 500 {
			body.Error.RequestID = requestID(c)
		}
		return c.Status(status).JSON(body)
	}
	if status == fiber.StatusUnauthorized && c.Method() == fiber.MethodGet {
		return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	p := s.newPage(c, "error.title")
	p.Data = map[string]any{"Status": status, "Message": academy.MessageIn(p.Lang, msg), "RequestID": requestID(c)}
	if rerr := s.renderStatus(c, status, "error", p); rerr != nil {
		// The error page itself failed: fall back to plain text so that the
		// client still gets an answer and the cause reaches the log.
		s.Logger.Error("error page failed", "request_id", requestID(c), "err", rerr)
		c.Type("txt", "utf-8")
		return c.Status(status).SendString(academy.MessageIn(p.Lang, msg))
	}
	return nil
}

// apiLang is the language of an API error message: a browser session's
// page script speaks its user's language; a program gets the language it
// asks for with Accept-Language, and English when it asks for none, since
// the API's codes and field names are English too.
func (s *Server) apiLang(c *fiber.Ctx) string {
	if c.Locals(localViaCookie) == true {
		return s.lang(c)
	}
	if h := c.Get(fiber.HeaderAcceptLanguage); h != "" {
		return s.locales.Negotiate(h)
	}
	return academy.LangEN
}
