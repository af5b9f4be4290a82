package academy

import "testing"

// TestMessageIn: a reader gets one half of a bilingual message, with the
// field it names, and quoted values holding " / " do not split it.
func TestMessageIn(t *testing.T) {
	for _, tt := range []struct{ msg, zh, en string }{
		{"用户名或密码错误 / Wrong username or password.", "用户名或密码错误", "Wrong username or password."},
		{"confirm_password: 两次输入的密码不一致 / the passwords do not match", "confirm_password: 两次输入的密码不一致", "confirm_password: the passwords do not match"},
		{"title: 最多 5 个字符（现为 7） / at most 5 characters (this has 7)", "title: 最多 5 个字符（现为 7）", "title: at most 5 characters (this has 7)"},
		{`《A / B》的 3 次答题机会已用完 / All 3 attempts at "A / B" are used.`, "《A / B》的 3 次答题机会已用完", `All 3 attempts at "A / B" are used.`},
		{`标题 "甲 / 乙" 太长 / Title "甲 / 乙" too long`, `标题 "甲 / 乙" 太长`, `Title "甲 / 乙" too long`},
		{"/metrics 需要令牌 / /metrics needs a token.", "/metrics 需要令牌", "/metrics needs a token."},
		{"programs/a.yaml:3: 未知课程 / unknown course", "programs/a.yaml:3: 未知课程", "programs/a.yaml:3: unknown course"},
		{"name: required, 1–64 characters", "name: required, 1–64 characters", "name: required, 1–64 characters"},
		{"a / b", "a / b", "a / b"},
		{"", "", ""},
	} {
		if got := MessageIn("zh", tt.msg); got != tt.zh {
			t.Errorf("zh %q = %q, want %q", tt.msg, got, tt.zh)
		}
		if got := MessageIn("en", tt.msg); got != tt.en {
			t.Errorf("en %q = %q, want %q", tt.msg, got, tt.en)
		}
	}
}
