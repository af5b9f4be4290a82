package roster

import (
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
)

// TestRowErrorInOneLanguage: a refused write names its row in each half
// of the message, so that neither reader gets the other's language, nor
// loses the row.
func TestRowErrorInOneLanguage(t *testing.T) {
	err := rowError(&Item{Line: 3, Username: "wang"}, academy.Errorf(academy.ECONFLICT, `username: 用户名 "wang" 已被占用 / "wang" is taken`))
	msg := academy.ErrorMessage(err)
	if zh := academy.MessageIn(academy.LangZH, msg); zh != `第 3 行（wang）：username: 用户名 "wang" 已被占用` {
		t.Errorf("zh %q", zh)
	}
	if en := academy.MessageIn(academy.LangEN, msg); en != `row 3 (wang): username: "wang" is taken` || strings.Contains(en, "行") {
		t.Errorf("en %q", en)
	}
	if academy.ErrorCode(err) != academy.ECONFLICT {
		t.Errorf("code %s", academy.ErrorCode(err))
	}
}
