package notify

import (
	"strings"
	"testing"
	"time"
)

// A digest of many sites stays within the outbox's bound on a value,
// whole lines only, and says where the rest is: an outsized message
// would be refused, and with it the whole scan's.
func TestDigestWithinBound(t *testing.T) {
	var text digestText
	for range 200 {
		text.add("【某某物业项目】· 逾期 10 人：张三（客服上岗认证）、李四（职业道德与服务意识）", "[Site] · 10 people overdue: 张三 (客服上岗认证); 李四 (职业道德与服务意识)")
	}
	p := text.params(map[string]string{"overdue_count": "2000", "expiring_count": "0", "escalated_count": "0"}, "……其余见团队看板。", "… the team board has the rest.")
	m := Message{Key: "manager-digest/m/2026-03-02", Kind: KindManagerDigest, To: "m", Params: p, Link: "/team", At: time.Now()}
	if err := m.validate(); err != nil {
		t.Fatal(err)
	}
	for lang, more := range map[string]string{"items_zh": "……其余见团队看板。", "items_en": "… the team board has the rest."} {
		lines := strings.Split(p[lang], "\n")
		if lines[len(lines)-1] != more || len(lines) < 20 || lines[0] != lines[len(lines)-2] {
			t.Errorf("%s: %d lines ending %q", lang, len(lines), lines[len(lines)-1])
		}
	}
	short := digestText{}
	short.add("一", "one")
	if p := short.params(map[string]string{}, "more", "more"); p["items_zh"] != "一" || p["items_en"] != "one" {
		t.Errorf("a short digest: %q", p)
	}
}
