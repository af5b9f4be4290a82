package academy

import (
	"fmt"
	"strings"
	"testing"
)

func TestDirectoryEdits(t *testing.T) {
	d := &Directory{}
	u, err := FlatOf(" 3", "2 ", "1202")
	if err != nil || u != (Unit{ID: "3-2-1202", Building: "3栋", Label: "3栋2单元1202"}) {
		t.Fatalf("FlatOf = %+v, %v", u, err)
	}
	if b, e, r, ok := FlatParts(u); !ok || b+e+r != "321202" {
		t.Fatalf("FlatParts = %s %s %s %v", b, e, r, ok)
	}
	if _, _, _, ok := FlatParts(Unit{ID: "shop-1", Label: "商铺1"}); ok {
		t.Fatal("a unit of another form is taken apart")
	}
	for _, bad := range [][3]string{{"0", "1", "1"}, {"1000", "1", "1"}, {"1", "100", "1"}, {"1", "1", ""}, {"1", "1", "12-3"}, {"一", "1", "1"}} {
		if _, err := FlatOf(bad[0], bad[1], bad[2]); ErrorCode(err) != EINVALID {
			t.Errorf("FlatOf%v: %v", bad, err)
		}
	}
	if err := d.PutUnit("", u); err != nil {
		t.Fatal(err)
	}
	if err := d.PutUnit("", u); ErrorCode(err) != ECONFLICT {
		t.Fatalf("the same flat twice: %v", err)
	}
	r := &Resident{Name: " 王芳 ", Unit: u.ID, Phone: "13812345678", Role: "owner"}
	if err := d.PutResident(r); err != nil || r.ID != "r001" || d.Resident("r001").Name != "王芳" {
		t.Fatalf("add resident: %v %+v", err, r)
	}
	if err := d.PutResident(&Resident{ID: "r001", Name: "王芳", Unit: u.ID, Role: "tenant"}); err != nil || d.Resident("r001").Phone != "13812345678" {
		t.Fatalf("an edit without a phone must keep it: %v %+v", err, d.Resident("r001"))
	}
	if err := d.PutResident(&Resident{ID: "r404", Name: "某人", Unit: u.ID, Phone: "13812345678", Role: "owner"}); ErrorCode(err) != ENOTFOUND {
		t.Fatalf("edit of nobody: %v", err)
	}
	if err := d.RemoveUnit(u.ID); ErrorCode(err) != ECONFLICT {
		t.Fatalf("removing an inhabited flat: %v", err)
	}
	moved, _ := FlatOf("3", "2", "1302")
	if err := d.PutUnit(u.ID, moved); err != nil || d.Resident("r001").Unit != moved.ID || d.Unit(u.ID) != nil {
		t.Fatalf("renumbering: %v %+v", err, d.Resident("r001"))
	}
	for _, p := range []string{"12345", "1234567890123456", "138-1234-567x", "电话13812345678"} {
		if err := CheckPhone("phone", p); ErrorCode(err) != EINVALID || !strings.HasPrefix(ErrorMessage(err), "phone:") {
			t.Errorf("CheckPhone(%q) = %v", p, err)
		}
	}
	for _, p := range []string{"13812345678", "+86 138 1234 5678", "021-12345678", "(0755) 8765 4321"} {
		if err := CheckPhone("phone", p); err != nil {
			t.Errorf("CheckPhone(%q) = %v", p, err)
		}
	}
	m := &Member{Name: "李师傅", Department: DeptEngineering}
	if err := d.PutMember(m); err != nil || m.ID != "m01" {
		t.Fatalf("add member: %v %+v", err, m)
	}
	if err := d.PutMember(&Member{Name: "李师傅", Department: "kitchen"}); ErrorCode(err) != EINVALID {
		t.Fatalf("unknown department: %v", err)
	}
	if err := d.RemoveResident("r001"); err != nil || d.RemoveUnit(moved.ID) != nil || d.RemoveMember("m01") != nil {
		t.Fatal("removing")
	}
	if len(d.Units)+len(d.Residents)+len(d.Members) != 0 || d.Validate() != nil {
		t.Fatalf("left %+v", d)
	}
}

func TestDirectoryFromRows(t *testing.T) {
	cur := &Directory{
		Units:     []Unit{{ID: "1-1-101", Building: "1栋", Label: "1栋1单元101"}},
		Residents: []Resident{{ID: "r007", Name: "王芳", Unit: "1-1-101", Phone: "13812345678", Role: "owner"}},
		Members:   []Member{{ID: "m09", Name: "李师傅", Department: DeptEngineering}},
	}
	flats := [][]string{{"1", "1", "101"}, {}, {"1", "1", "102"}}
	residents := [][]string{{"", "王芳", "1栋1单元101", "13812345678", "业主"}, {"", "赵强", "1-1-102", "13987654321", "tenant"}}
	members := [][]string{{"", "李师傅", "工程"}, {"", "孙丽", "保洁部"}}
	d, probs := DirectoryFromRows(flats, residents, members, cur)
	if probs != nil {
		t.Fatal(probs)
	}
	// The same person keeps their id; a new one gets a free id.
	if got := fmt.Sprint(d.Residents); got != "[{r007 王芳 1-1-101 13812345678 owner} {r002 赵强 1-1-102 13987654321 tenant}]" {
		t.Fatalf("residents %s", got)
	}
	if got := fmt.Sprint(d.Members); got != "[{m09 李师傅 engineering} {m02 孙丽 cleaning}]" {
		t.Fatalf("members %s", got)
	}
	again, _ := DirectoryFromRows(flats, residents, members, d)
	if fmt.Sprint(again.Units, again.Residents, again.Members) != fmt.Sprint(d.Units, d.Residents, d.Members) {
		t.Fatal("reading the same rows again gives another directory")
	}
	// Every problem of every row, with its place.
	_, probs = DirectoryFromRows([][]string{{"x", "0", "101"}, {"1", "1", "1 1"}},
		[][]string{{"bad id", "", "9栋9单元9", "1", "boss"}, {"r1", "甲", "", "13800000000", "业主"}, {"r1", "乙", "", "13800000000", "业主"}},
		[][]string{{"", "丙", "厨房"}}, cur)
	var got []string
	for _, p := range probs {
		got = append(got, fmt.Sprintf("%s %d %s", p.Sheet, p.Row, p.Column[:1]))
	}
	want := "房屋 2 A,房屋 2 B,房屋 3 C,住户 2 A,住户 2 B,住户 2 C,住户 2 D,住户 2 E,住户 3 C,住户 4 A,住户 4 C,部门成员 2 C"
	if strings.Join(got, ",") != want {
		t.Fatalf("problems\n%s\nwant\n%s", strings.Join(got, ","), want)
	}
}
