package academy

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSyntheticDirectoryDeterministic(t *testing.T) {
	if !reflect.DeepEqual(SyntheticDirectory(42), SyntheticDirectory(42)) {
		t.Fatal("the same seed gave two directories")
	}
	if reflect.DeepEqual(SyntheticDirectory(42).Residents, SyntheticDirectory(43).Residents) {
		t.Error("seeds 42 and 43 gave the same residents")
	}
	if SyntheticSiteName(7) != SyntheticSiteName(7) {
		t.Error("the same seed gave two site names")
	}
}

func TestSyntheticDirectoryUnits(t *testing.T) {
	d := SyntheticDirectory(1)
	if len(d.Units) != 3*2*6*2 {
		t.Fatalf("units = %d, want 72", len(d.Units))
	}
	if u := d.Unit("1-1-101"); u == nil || u.Building != "1栋" || u.Label != "1栋1单元101" {
		t.Errorf("unit 1-1-101 = %+v", u)
	}
	if u := d.Unit("3-2-602"); u == nil || u.Building != "3栋" || u.Label != "3栋2单元602" {
		t.Errorf("unit 3-2-602 = %+v", u)
	}
	ids := map[string]bool{}
	for _, u := range d.Units {
		if ids[u.ID] {
			t.Errorf("unit %s twice", u.ID)
		}
		ids[u.ID] = true
	}
}

func TestSyntheticDirectoryResidents(t *testing.T) {
	for _, seed := range []int64{0, 1, 42, -7, 1 << 40} {
		d := SyntheticDirectory(seed)
		ids, phones, perUnit := map[string]bool{}, map[string]bool{}, map[string]int{}
		for i, r := range d.Residents {
			if i == 0 && r.ID != "r001" {
				t.Errorf("first resident id %q, want r001", r.ID)
			}
			if ids[r.ID] || phones[r.Phone] {
				t.Errorf("seed %d: resident %s: id or phone %s not unique", seed, r.ID, r.Phone)
			}
			ids[r.ID], phones[r.Phone] = true, true
			if !strings.HasPrefix(r.Phone, "100-0000-") || len(r.Phone) != len("100-0000-0001") {
				t.Errorf("seed %d: phone %q not in the fake range", seed, r.Phone)
			}
			if d.Unit(r.Unit) == nil {
				t.Errorf("seed %d: resident %s lives in unknown unit %q", seed, r.ID, r.Unit)
			}
			if n := utf8.RuneCountInString(r.Name); n < 2 || n > 3 || !strings.ContainsRune(commonSurnames, []rune(r.Name)[0]) {
				t.Errorf("seed %d: name %q", seed, r.Name)
			}
			if r.Role != "owner" && r.Role != "tenant" {
				t.Errorf("seed %d: role %q", seed, r.Role)
			}
			perUnit[r.Unit]++
		}
		for _, u := range d.Units {
			if n := perUnit[u.ID]; n < 1 || n > 2 {
				t.Errorf("seed %d: unit %s has %d residents", seed, u.ID, n)
			}
		}
		if n := len(d.Residents); n == len(d.Units) || n == 2*len(d.Units) {
			t.Errorf("seed %d: %d residents: want owners and some tenants", seed, n)
		}
	}
}

func TestSyntheticDirectoryMembers(t *testing.T) {
	d := SyntheticDirectory(5)
	want := map[string]int{DeptService: 2, DeptEngineering: 3, DeptSecurity: 2, DeptCleaning: 2, DeptLandscaping: 1, DeptFinance: 1}
	got := map[string]int{}
	names := map[string]bool{}
	for _, r := range d.Residents {
		names[r.Name] = true
	}
	for i, m := range d.Members {
		if want := "m" + string(rune('0'+(i+1)/10)) + string(rune('0'+(i+1)%10)); m.ID != want {
			t.Errorf("member %d id %q, want %q", i, m.ID, want)
		}
		if names[m.Name] {
			t.Errorf("member name %q also used", m.Name)
		}
		names[m.Name] = true
		got[m.Department]++
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("members per department = %v, want %v", got, want)
	}
}

func TestSyntheticSiteName(t *testing.T) {
	seen := map[string]bool{}
	for seed := range int64(50) {
		n := SyntheticSiteName(seed)
		if !strings.HasPrefix(n, "演练") && !strings.HasPrefix(n, "模拟") && !strings.HasPrefix(n, "练习") && !strings.HasPrefix(n, "实训") {
			t.Errorf("seed %d: %q does not say it is practice", seed, n)
		}
		seen[n] = true
	}
	if len(seen) < 5 {
		t.Errorf("only %d different names over 50 seeds", len(seen))
	}
}

// Sandboxes opened at any times use every estate, about as often, and no
// other: whole microseconds (a coarse clock) included.
func TestEstateSeedSpreadsOverTheEstates(t *testing.T) {
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	for _, step := range []time.Duration{time.Nanosecond, time.Microsecond, 17 * time.Millisecond} {
		seen := map[int64]int{}
		const n = 64 * 200
		for i := range n {
			s := EstateSeed(start.Add(time.Duration(i) * step))
			if s < 0 || s >= SyntheticEstates {
				t.Fatalf("step %v: seed %d outside 0..%d", step, s, SyntheticEstates-1)
			}
			seen[s]++
		}
		for s := range int64(SyntheticEstates) {
			if seen[s] < 100 || seen[s] > 300 {
				t.Errorf("step %v: estate %d drawn %d times of %d, want about 200", step, s, seen[s], n)
			}
		}
	}
}
