package academy

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Audit actions for a site's directory changed by an administrator.
const (
	AuditDirectoryChanged  = "site.directory_changed"
	AuditDirectoryImported = "site.directory_imported"
	// The export holds every resident's full phone number.
	AuditDirectoryExported = "site.directory_exported"
)

// Bounds of a directory: it is one document, read whole by every desk
// request of the site, and MongoDB caps a document at 16 MB.
const (
	MaxDirectoryUnits     = 10000
	MaxDirectoryResidents = 30000
	MaxDirectoryMembers   = 2000
	maxPersonName         = 32
)

// roomRE is a room number as printed on a door: 1202, B101.
var roomRE = regexp.MustCompile(`^[0-9A-Za-z]{1,8}$`)

// FlatOf makes the flat of building b, entrance (单元) e and room as
// people type them: 3, 2, 1202 is 3栋2单元1202 with id 3-2-1202, the form
// the desk's search and the anonymiser read.
func FlatOf(b, e, room string) (Unit, error) {
	nb, err := flatNumber("building", b, 999)
	if err != nil {
		return Unit{}, err
	}
	ne, err := flatNumber("entrance", e, 99)
	if err != nil {
		return Unit{}, err
	}
	room = strings.TrimSpace(room)
	if !roomRE.MatchString(room) {
		return Unit{}, Errorf(EINVALID, "room: 房号为 1–8 位数字或字母，例如 1202 / the room number is 1–8 digits or letters, e.g. 1202")
	}
	return Unit{ID: fmt.Sprintf("%d-%d-%s", nb, ne, room), Building: fmt.Sprintf("%d栋", nb), Label: fmt.Sprintf("%d栋%d单元%s", nb, ne, room)}, nil
}

func flatNumber(field, v string, max int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > max {
		return 0, Errorf(EINVALID, "%s: 须为 1–%d 的整数 / must be a whole number from 1 to %d", field, max, max)
	}
	return n, nil
}

// FlatParts splits a flat made by FlatOf back into building, entrance and
// room, for its edit form; ok is false for units loaded in another form.
func FlatParts(u Unit) (b, e, room string, ok bool) {
	parts := strings.Split(u.ID, "-")
	if len(parts) != 3 {
		return "", "", "", false
	}
	if f, err := FlatOf(parts[0], parts[1], parts[2]); err != nil || f != u {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// CheckPhone checks a phone number as the desk keeps it: 7–15 digits,
// perhaps with +, spaces, dashes or brackets.
func CheckPhone(field, p string) error {
	p = strings.TrimSpace(p)
	n := len(phoneDigits(p))
	if strings.Trim(p, "0123456789+-() ") != "" || n < 7 || n > 15 {
		return Errorf(EINVALID, "%s: 电话为 7–15 位数字，可带 +、空格或短横线 / a phone number is 7–15 digits, optionally with +, spaces or dashes", field)
	}
	return nil
}

func checkPersonName(name string) error {
	if strings.TrimSpace(name) == "" {
		return Errorf(EINVALID, "name: 请填写姓名 / required, 1–%d characters", maxPersonName)
	}
	return CheckText("name", name, maxPersonName, false)
}

// PutUnit adds u, or replaces the unit with id old. A flat that changes
// its number takes its residents along.
func (d *Directory) PutUnit(old string, u Unit) error {
	if other := d.Unit(u.ID); other != nil && u.ID != old {
		return Errorf(ECONFLICT, "flat: %s 已经存在 / %s is already in the directory", u.Label, u.Label)
	}
	if old == "" {
		if len(d.Units) >= MaxDirectoryUnits {
			return Errorf(ETOOMANY, "flats: 最多 %d 户 / at most %d flats per site", MaxDirectoryUnits, MaxDirectoryUnits)
		}
		d.Units = append(d.Units, u)
		return nil
	}
	i := slices.IndexFunc(d.Units, func(x Unit) bool { return x.ID == old })
	if i < 0 {
		return Errorf(ENOTFOUND, "没有这个房屋 / No such flat.")
	}
	d.Units[i] = u
	for j := range d.Residents {
		if d.Residents[j].Unit == old {
			d.Residents[j].Unit = u.ID
		}
	}
	return nil
}

// RemoveUnit removes a flat nobody lives in.
func (d *Directory) RemoveUnit(id string) error {
	u := d.Unit(id)
	if u == nil {
		return Errorf(ENOTFOUND, "没有这个房屋 / No such flat.")
	}
	if n := len(d.ResidentsOf(id)); n > 0 {
		return Errorf(ECONFLICT, "%s 还有 %d 位住户，请先删除或迁出 / %s still has %d residents: remove or move them first", u.Label, n, u.Label, n)
	}
	d.Units = slices.DeleteFunc(d.Units, func(x Unit) bool { return x.ID == id })
	return nil
}

// ResidentsOf returns the residents of a flat.
func (d *Directory) ResidentsOf(unit string) []Resident {
	var out []Resident
	for _, r := range d.Residents {
		if r.Unit == unit {
			out = append(out, r)
		}
	}
	return out
}

// PutResident adds r (r.ID empty: a new id is given) or replaces the
// resident with r.ID. An empty phone keeps the stored one: forms never
// show the full number.
func (d *Directory) PutResident(r *Resident) error {
	r.Name = strings.TrimSpace(r.Name)
	r.Phone = strings.TrimSpace(r.Phone)
	if err := checkPersonName(r.Name); err != nil {
		return err
	}
	if d.Unit(r.Unit) == nil {
		return Errorf(EINVALID, "unit: 请选择本小区已有的房屋 / choose a flat of this site")
	}
	if r.Role != "owner" && r.Role != "tenant" {
		return Errorf(EINVALID, "role: 须为业主或租户 / must be owner or tenant")
	}
	old := d.Resident(r.ID)
	if r.Phone == "" && old != nil {
		r.Phone = old.Phone
	}
	if err := CheckPhone("phone", r.Phone); err != nil {
		return err
	}
	if old != nil {
		*old = *r
		return nil
	}
	if r.ID != "" {
		return Errorf(ENOTFOUND, "没有这位住户 / No such resident.")
	}
	if len(d.Residents) >= MaxDirectoryResidents {
		return Errorf(ETOOMANY, "residents: 最多 %d 位住户 / at most %d residents per site", MaxDirectoryResidents, MaxDirectoryResidents)
	}
	r.ID = nextID("r", 3, len(d.Residents), func(id string) bool { return d.Resident(id) != nil })
	d.Residents = append(d.Residents, *r)
	return nil
}

// RemoveResident removes a resident. Tickets keep their history.
func (d *Directory) RemoveResident(id string) error {
	if d.Resident(id) == nil {
		return Errorf(ENOTFOUND, "没有这位住户 / No such resident.")
	}
	d.Residents = slices.DeleteFunc(d.Residents, func(r Resident) bool { return r.ID == id })
	return nil
}

// Member returns the member with id, or nil.
func (d *Directory) Member(id string) *Member {
	for i := range d.Members {
		if d.Members[i].ID == id {
			return &d.Members[i]
		}
	}
	return nil
}

// PutMember adds m (m.ID empty: a new id is given) or replaces the member
// with m.ID.
func (d *Directory) PutMember(m *Member) error {
	m.Name = strings.TrimSpace(m.Name)
	if err := checkPersonName(m.Name); err != nil {
		return err
	}
	if DepartmentName(m.Department) == "" {
		return Errorf(EINVALID, "department: 请选择部门 / choose a department")
	}
	if old := d.Member(m.ID); old != nil {
		*old = *m
		return nil
	}
	if m.ID != "" {
		return Errorf(ENOTFOUND, "没有这位部门成员 / No such department member.")
	}
	if len(d.Members) >= MaxDirectoryMembers {
		return Errorf(ETOOMANY, "members: 最多 %d 位部门成员 / at most %d department members per site", MaxDirectoryMembers, MaxDirectoryMembers)
	}
	m.ID = nextID("m", 2, len(d.Members), func(id string) bool { return d.Member(id) != nil })
	d.Members = append(d.Members, *m)
	return nil
}

// RemoveMember removes a department member. Tickets assigned to them keep
// the assignment in their history.
func (d *Directory) RemoveMember(id string) error {
	if d.Member(id) == nil {
		return Errorf(ENOTFOUND, "没有这位部门成员 / No such department member.")
	}
	d.Members = slices.DeleteFunc(d.Members, func(m Member) bool { return m.ID == id })
	return nil
}

// nextID is the first free id prefix+n (n zero-padded to width) after
// count: r001, m01. Ids are never reused while their holder exists.
func nextID(prefix string, width, count int, taken func(string) bool) string {
	for n := count + 1; ; n++ {
		if id := fmt.Sprintf("%s%0*d", prefix, width, n); !taken(id) {
			return id
		}
	}
}

// ChangeDirectory applies change to a live site's directory if nobody
// changed it since version was read (ECONFLICT otherwise), checks the
// result and records who changed what.
func (d *Desk) ChangeDirectory(ctx context.Context, site string, version int, who Actor, action, detail string, change func(*Directory) error) (*Directory, error) {
	if IsSandbox(site) {
		return nil, Errorf(ENOTFOUND, "没有项目 %q / site %q not found", site, site)
	}
	dir, err := d.Live.FindDirectory(ctx, site)
	if err != nil {
		return nil, err
	}
	if dir.Version != version {
		return nil, directoryConflict()
	}
	if err := change(dir); err != nil {
		return nil, err
	}
	if err := dir.Validate(); err != nil {
		return nil, err
	}
	if err := d.Live.UpdateDirectory(ctx, site, dir, version); err != nil {
		if ErrorCode(err) == ECONFLICT {
			return nil, directoryConflict()
		}
		return nil, err
	}
	dir.Version = version + 1
	if err := d.Audit.RecordAudit(ctx, &AuditEvent{Time: d.Now(), Actor: who.Username, Action: action, Target: site, IP: who.IP, Detail: detail}); err != nil {
		return nil, err
	}
	return dir, nil
}

func directoryConflict() error {
	return Errorf(ECONFLICT, "名录在您打开后已被他人修改，请查看最新内容后再改 / The directory was changed after you opened it; look at the current one and make your change again.")
}

// The sheets of a directory workbook, and their columns in order.
var (
	FlatColumns     = []string{"楼栋 / Building", "单元 / Entrance", "房号 / Room"}
	ResidentColumns = []string{"编号 / ID", "姓名 / Name", "房屋 / Flat", "电话 / Phone", "身份 / Role"}
	MemberColumns   = []string{"编号 / ID", "姓名 / Name", "部门 / Department"}
)

// Sheet names of a directory workbook.
const (
	SheetFlats     = "房屋"
	SheetResidents = "住户"
	SheetMembers   = "部门成员"
)

// RowProblem is one bad cell of an imported workbook. Row counts as the
// spreadsheet does, from 1 with the header row.
type RowProblem struct {
	Sheet   string
	Row     int
	Column  string
	Problem string
}

// maxRowProblems bounds the problems reported for one file: the first
// ones show what is wrong with the rest.
const maxRowProblems = 100

// roleNames are the words a workbook may use for a resident's role.
var roleNames = map[string]string{"业主": "owner", "owner": "owner", "租户": "tenant", "tenant": "tenant"}

// RoleName is the word the workbook uses for a role.
func RoleName(role string) string {
	if role == "tenant" {
		return "租户"
	}
	return "业主"
}

// DirectoryFromRows reads the rows of a directory workbook (each sheet
// without its header row) into a directory that replaces cur. Every row
// is checked and every problem reported, with its row and column; the
// directory is nil when there is any. Residents and members without an
// id keep the id of the same person in cur (same name and flat, same name
// and department), so that importing the same file again changes nothing.
func DirectoryFromRows(flats, residents, members [][]string, cur *Directory) (*Directory, []RowProblem) {
	var probs []RowProblem
	bad := func(sheet string, row int, cols []string, col int, err error) {
		if len(probs) < maxRowProblems {
			probs = append(probs, RowProblem{sheet, row + 2, fmt.Sprintf("%c (%s)", 'A'+col, cols[col]), ErrorMessage(err)})
		}
	}
	cell := func(row []string, i int) string {
		if i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	d := &Directory{}
	if len(flats) > MaxDirectoryUnits || len(residents) > MaxDirectoryResidents || len(members) > MaxDirectoryMembers {
		return nil, []RowProblem{{Problem: fmt.Sprintf("文件太大：最多 %d 户、%d 位住户、%d 位部门成员 / too many rows: at most %d flats, %d residents and %d members",
			MaxDirectoryUnits, MaxDirectoryResidents, MaxDirectoryMembers, MaxDirectoryUnits, MaxDirectoryResidents, MaxDirectoryMembers)}}
	}
	byLabel := map[string]string{}
	for i, row := range flats {
		if blankRow(row) {
			continue
		}
		_, berr := flatNumber("building", cell(row, 0), 999)
		_, eerr := flatNumber("entrance", cell(row, 1), 99)
		u, err := FlatOf(cell(row, 0), cell(row, 1), cell(row, 2))
		if berr != nil || eerr != nil || err != nil {
			for col, err := range []error{berr, eerr, err} {
				if err != nil && (col < 2 || berr == nil && eerr == nil) {
					bad(SheetFlats, i, FlatColumns, col, err)
				}
			}
			continue
		}
		if _, dup := byLabel[u.ID]; dup {
			bad(SheetFlats, i, FlatColumns, 2, Errorf(EINVALID, "room: %s 出现了两次 / %s is listed twice", u.Label, u.Label))
			continue
		}
		byLabel[u.ID], byLabel[u.Label] = u.ID, u.ID
		d.Units = append(d.Units, u)
	}
	ids := map[string]bool{}
	var unnamed []int // residents without an id, given one at the end
	for i, row := range residents {
		if blankRow(row) {
			continue
		}
		r := Resident{ID: cell(row, 0), Name: cell(row, 1), Unit: byLabel[cell(row, 2)], Phone: cell(row, 3), Role: roleNames[strings.ToLower(cell(row, 4))]}
		ok := true
		check := func(col int, err error) {
			if err != nil {
				bad(SheetResidents, i, ResidentColumns, col, err)
				ok = false
			}
		}
		if r.ID != "" {
			check(0, CheckIdent(IdentRecord, "id", r.ID))
			if ids[r.ID] {
				check(0, Errorf(EINVALID, "id: %s 出现了两次 / %s is listed twice", r.ID, r.ID))
			}
			ids[r.ID] = true
		}
		check(1, checkPersonName(r.Name))
		if r.Unit == "" {
			check(2, Errorf(EINVALID, "flat: 房屋表里没有 %q / %q is not on the flats sheet", cell(row, 2), cell(row, 2)))
		}
		check(3, CheckPhone("phone", r.Phone))
		if r.Role == "" {
			check(4, Errorf(EINVALID, "role: 填“业主”或“租户” / write 业主 (owner) or 租户 (tenant)"))
		}
		if ok {
			if r.ID == "" {
				unnamed = append(unnamed, len(d.Residents))
			}
			d.Residents = append(d.Residents, r)
		}
	}
	mids := map[string]bool{}
	var unnamedM []int
	for i, row := range members {
		if blankRow(row) {
			continue
		}
		m := Member{ID: cell(row, 0), Name: cell(row, 1), Department: departmentID(cell(row, 2))}
		ok := true
		check := func(col int, err error) {
			if err != nil {
				bad(SheetMembers, i, MemberColumns, col, err)
				ok = false
			}
		}
		if m.ID != "" {
			check(0, CheckIdent(IdentRecord, "id", m.ID))
			if mids[m.ID] {
				check(0, Errorf(EINVALID, "id: %s 出现了两次 / %s is listed twice", m.ID, m.ID))
			}
			mids[m.ID] = true
		}
		check(1, checkPersonName(m.Name))
		if m.Department == "" {
			check(2, Errorf(EINVALID, "department: 部门为客服、工程、安保、保洁或绿化 / one of 客服, 工程, 安保, 保洁, 绿化"))
		}
		if ok {
			if m.ID == "" {
				unnamedM = append(unnamedM, len(d.Members))
			}
			d.Members = append(d.Members, m)
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	for _, i := range unnamed {
		r := &d.Residents[i]
		if old := slices.IndexFunc(cur.Residents, func(o Resident) bool { return o.Name == r.Name && o.Unit == r.Unit && !ids[o.ID] }); old >= 0 {
			r.ID = cur.Residents[old].ID
		} else {
			r.ID = nextID("r", 3, len(cur.Residents), func(id string) bool { return ids[id] || cur.Resident(id) != nil })
		}
		ids[r.ID] = true
	}
	for _, i := range unnamedM {
		m := &d.Members[i]
		if old := slices.IndexFunc(cur.Members, func(o Member) bool { return o.Name == m.Name && o.Department == m.Department && !mids[o.ID] }); old >= 0 {
			m.ID = cur.Members[old].ID
		} else {
			m.ID = nextID("m", 2, len(cur.Members), func(id string) bool { return mids[id] || cur.Member(id) != nil })
		}
		mids[m.ID] = true
	}
	return d, nil
}

func blankRow(row []string) bool {
	return !slices.ContainsFunc(row, func(c string) bool { return strings.TrimSpace(c) != "" })
}

// departmentID reads a department by its Chinese name or its id.
func departmentID(s string) string {
	for _, d := range ShippedRules().Departments {
		if s == d.Name || s == d.Name+"部" || strings.EqualFold(s, d.ID) {
			return d.ID
		}
	}
	return ""
}
