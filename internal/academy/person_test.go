package academy

import (
	"strings"
	"testing"
	"time"
)

func TestPhoneShapes(t *testing.T) {
	for in, want := range map[string]string{
		"13812345678":       "13812345678",
		"+86 138 1234 5678": "13812345678",
		"86-138-1234-5678":  "13812345678",
		"010-62345678":      "010-62345678",
		"(010) 6234 5678":   "010-62345678",
		"01062345678":       "010-62345678",
		"02162345678":       "021-62345678",
		"0755 8888 6666":    "0755-88886666",
		"07558888666":       "0755-8888666",
		"0755-8888666-123":  "0755-8888666-123",
		"（0571）87654321":    "0571-87654321",
	} {
		got := NormalizePhone(in)
		if got != want || checkPhone(got) != nil {
			t.Errorf("NormalizePhone(%q) = %q (%v), want %q", in, got, checkPhone(got), want)
		}
	}
	for _, bad := range []string{"1381234567", "138123456789", "12812345678", "call me", "010-1234", "+1 415 555 0100", "1" + strings.Repeat("3", 1000)} {
		if err := checkPhone(NormalizePhone(bad)); err == nil || !strings.HasPrefix(ErrorMessage(err), "phone: ") {
			t.Errorf("phone %q accepted (%v)", bad, err)
		}
	}
}

func TestEmailShapes(t *testing.T) {
	for _, ok := range []string{"wang@example.com", "li.na+hr@mail.example.cn"} {
		if err := checkEmail(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"wang", "wang@", "wang@example", "Wang <wang@example.com>", "a@b@c.com", "wang@.com", strings.Repeat("a", 250) + "@x.cn"} {
		if err := checkEmail(bad); err == nil || !strings.HasPrefix(ErrorMessage(err), "email: ") {
			t.Errorf("email %q accepted", bad)
		}
	}
}

// Dates are days of the company's calendar: the hire month of someone
// hired on the first of a month is that month in any reader's zone, and
// leaving counts from the first instant of the leave date.
func TestDates(t *testing.T) {
	for _, bad := range []string{"2026-02-30", "2026-3-1", "2026/03/01", "20260301", "tomorrow"} {
		if _, err := ParseDate("hire_date", bad); err == nil || !strings.HasPrefix(ErrorMessage(err), "hire_date: ") {
			t.Errorf("date %q accepted", bad)
		}
	}
	d, err := ParseDate("hire_date", " 2026-03-01 ")
	if err != nil || d != "2026-03-01" || d.Month() != "2026-03" {
		t.Fatalf("%q %v", d, err)
	}
	// The leave date is a day in the person's own zone: in Beijing it
	// starts at 16:00 UTC the day before.
	beijing, err := LoadZone("tz", "Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	start := d.Start(beijing)
	if want := time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC); !start.Equal(want) {
		t.Fatalf("start of %s in Beijing %s, want %s", d, start.UTC(), want)
	}
	u := &User{LeaveDate: d}
	if u.HasLeft(start.Add(-time.Second), beijing) || !u.HasLeft(start, beijing) || u.HasLeft(start, time.UTC) {
		t.Fatal("leaving does not start at the first instant of the leave date in the person's zone")
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for date, ok := range map[Date]bool{"1949-12-31": false, "1950-01-01": true, "2027-06-01": true, "2027-06-03": false} {
		if err := date.checkBounds("hire_date", now, beijing); (err == nil) != ok {
			t.Errorf("bounds of %s: %v", date, err)
		}
	}
}
