package http

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// TestInternalErrorsShowNoDetail: an internal error made with
// academy.Errorf carries words for the log (an id, a store's error, in
// English); the client gets the generic text in its language and the
// request id, never those words.
func TestInternalErrorsShowNoDetail(t *testing.T) {
	s := &Server{Deps: Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	app := fiber.New(fiber.Config{ErrorHandler: s.handleError})
	app.Get("/api/v1/x", func(c *fiber.Ctx) error {
		return academy.Errorf(academy.EINTERNAL, "attempt a1: decode: secret detail")
	})
	res, err := app.Test(httptest.NewRequest("GET", "/api/v1/x", nil))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if body := string(b); res.StatusCode != 500 || strings.Contains(body, "secret") || !strings.Contains(body, "Internal error.") {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
}
