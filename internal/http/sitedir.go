package http

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/academy/academy/internal/academy"
)

// A site's directory (flats, residents, department members) as the admin
// manages it: /admin/sites/:site lists and adds, /admin/sites/:site/<kind>/:id
// edits and removes one entry, export and import move it in a workbook.

// The kinds of directory entry, as they appear in URLs.
const (
	kindFlats     = "flats"
	kindResidents = "residents"
	kindMembers   = "members"
)

// sitePageSize is how many flats or residents one page lists.
const sitePageSize = 50

// Bounds of an uploaded workbook once unzipped: a directory at its limits
// is a few MB of sheet XML; a zip bomb is refused long before memory is.
const (
	workbookUnzipLimit = 64 << 20
	workbookXMLLimit   = 32 << 20
)

func (s *Server) registerSiteRoutes(get, post string) {
	sites := perm(academy.PermSitesManage)
	s.handle(get, "/admin/sites/:site", sites, s.siteDirectory)
	s.handle(post, "/admin/sites/:site/settings", sites, s.siteSettingsSave)
	s.handle(get, "/admin/sites/:site/export", sites, s.siteExport)
	s.handle(post, "/admin/sites/:site/import", sites, s.siteImport)
	for _, kind := range []string{kindFlats, kindResidents, kindMembers} {
		s.handle(post, "/admin/sites/:site/"+kind, sites, s.siteEntryCreate(kind))
		s.handle(get, "/admin/sites/:site/"+kind+"/:id", sites, s.siteEntry(kind))
		s.handle(post, "/admin/sites/:site/"+kind+"/:id", sites, s.siteEntrySave(kind))
		s.handle(post, "/admin/sites/:site/"+kind+"/:id/delete", sites, s.siteEntryDelete(kind))
	}
}

// siteAndDirectory loads the site named by the route and its directory.
func (s *Server) siteAndDirectory(c *fiber.Ctx) (*academy.Site, *academy.Directory, error) {
	site, err := s.Accounts.Sites.FindSite(c.UserContext(), c.Params("site"))
	if err != nil {
		return nil, nil, err
	}
	dir, err := s.Desk.Live.FindDirectory(c.UserContext(), site.ID)
	if err != nil {
		return nil, nil, err
	}
	return site, dir, nil
}

// flatRow is a flat as the list shows it.
type flatRow struct {
	academy.Unit
	Residents int
}

// residentRow is a resident as lists show them: the phone masked, as at
// the desk.
type residentRow struct {
	ID, Name, Flat, Phone, Role string
}

func residentRowOf(d *academy.Directory, r academy.Resident) residentRow {
	flat := r.Unit
	if u := d.Unit(r.Unit); u != nil {
		flat = u.Label
	}
	return residentRow{ID: r.ID, Name: r.Name, Flat: flat, Phone: academy.MaskPhone(r.Phone), Role: r.Role}
}

// deptRow is a department with its members.
type deptRow struct {
	ID      string
	Members []academy.Member
}

// siteForms holds what was typed into the add forms, shown again with the
// error when a save is refused.
type siteForms struct {
	Kind               string // the form the error belongs to
	SiteName, SiteTZ   string // the site's own form, as sent
	Building, Entrance string
	Room, Name, Flat   string
	Role, Dept         string
	// Error is shown by the form it belongs to: the page is long, and a
	// message at its top would be out of sight.
	Error    string
	Problems []academy.RowProblem
}

func (s *Server) siteDirectory(c *fiber.Ctx) error {
	return s.sitePage(c, fiber.StatusOK, siteForms{Role: "owner"}, "")
}

func (s *Server) sitePage(c *fiber.Ctx, status int, forms siteForms, errMsg string) error {
	site, dir, err := s.siteAndDirectory(c)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.Query("q"))
	if err := academy.CheckText("q", q, 64, false); err != nil {
		return err
	}
	flats := make([]flatRow, 0, len(dir.Units))
	living := map[string]int{}
	for _, r := range dir.Residents {
		living[r.Unit]++
	}
	for _, u := range dir.Units {
		flats = append(flats, flatRow{Unit: u, Residents: living[u.ID]})
	}
	var residents []residentRow
	for _, r := range dir.Residents {
		row := residentRowOf(dir, r)
		if q == "" || strings.Contains(row.Name, q) || strings.Contains(row.Flat, q) {
			residents = append(residents, row)
		}
	}
	depts := make([]deptRow, len(academy.ShippedRules().Departments))
	for i, d := range academy.ShippedRules().Departments {
		depts[i].ID = d.ID
		for _, m := range dir.Members {
			if m.Department == d.ID {
				depts[i].Members = append(depts[i].Members, m)
			}
		}
	}
	path := "/admin/sites/" + url.PathEscape(site.ID)
	foff, _ := academy.ClampPage(c.QueryInt("foffset"), sitePageSize)
	roff, _ := academy.ClampPage(c.QueryInt("offset"), sitePageSize)
	// The page pages two lists, each keeping the other's place.
	link := func(foff, roff int, anchor string) string {
		v := url.Values{}
		if q != "" {
			v.Set("q", q)
		}
		if foff > 0 {
			v.Set("foffset", strconv.Itoa(foff))
		}
		if roff > 0 {
			v.Set("offset", strconv.Itoa(roff))
		}
		return path + "?" + v.Encode() + anchor
	}
	fpager, rpager := pager{Offset: foff, Limit: sitePageSize, Total: len(flats)}, pager{Offset: roff, Limit: sitePageSize, Total: len(residents)}
	if foff > 0 {
		fpager.PrevURL = link(max(0, foff-sitePageSize), roff, "#flats")
	}
	if foff+sitePageSize < len(flats) {
		fpager.NextURL = link(foff+sitePageSize, roff, "#flats")
	}
	if roff > 0 {
		rpager.PrevURL = link(foff, max(0, roff-sitePageSize), "#residents")
	}
	if roff+sitePageSize < len(residents) {
		rpager.NextURL = link(foff, roff+sitePageSize, "#residents")
	}
	pg := s.newPage(c, "site.title")
	forms.Error = errMsg
	pg.Data = map[string]any{"Site": site, "Version": dir.Version, "Path": path, "Q": q,
		"Flats": pageOf(flats, foff), "FlatPager": fpager, "FlatCount": len(dir.Units),
		"Residents": pageOf(residents, roff), "ResidentPager": rpager, "ResidentCount": len(dir.Residents),
		"Depts": depts, "MemberCount": len(dir.Members), "Form": forms}
	return s.renderStatus(c, status, "site", pg)
}

func pageOf[T any](all []T, offset int) []T {
	if offset >= len(all) {
		return nil
	}
	return all[offset:min(len(all), offset+sitePageSize)]
}

// formVersion is the directory version the form was made from.
func formVersion(c *fiber.Ctx) (int, error) {
	n, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || n < 0 {
		return 0, academy.Errorf(academy.EINVALID, "version: 请给出表单所基于的名录版本 / the directory version the form was made from is required")
	}
	return n, nil
}

// entryFromForm reads a flat, resident or member from the form into the
// change it makes, and the words the audit log keeps (never a phone).
func entryFromForm(c *fiber.Ctx, kind, id string) (func(*academy.Directory) error, string, error) {
	switch kind {
	case kindFlats:
		u, err := academy.FlatOf(c.FormValue("building"), c.FormValue("entrance"), c.FormValue("room"))
		if err != nil {
			return nil, "", err
		}
		return func(d *academy.Directory) error { return d.PutUnit(id, u) }, "flat " + u.Label, nil
	case kindResidents:
		r := &academy.Resident{ID: id, Name: c.FormValue("name"), Phone: c.FormValue("phone"), Role: c.FormValue("role")}
		flat := strings.TrimSpace(c.FormValue("flat"))
		return func(d *academy.Directory) error {
			for _, u := range d.Units {
				if u.Label == flat || u.ID == flat {
					r.Unit = u.ID
				}
			}
			if r.Unit == "" {
				return academy.Errorf(academy.EINVALID, "flat: 本小区没有房屋 %q，请先在“房屋”中添加 / %q is not a flat of this site: add it under Flats first", flat, flat)
			}
			return d.PutResident(r)
		}, "resident " + strings.TrimSpace(r.Name), nil
	}
	m := &academy.Member{ID: id, Name: c.FormValue("name"), Department: c.FormValue("department")}
	return func(d *academy.Directory) error { return d.PutMember(m) }, "member " + strings.TrimSpace(m.Name), nil
}

func (s *Server) siteEntryCreate(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		forms := siteForms{Kind: kind, Building: c.FormValue("building"), Entrance: c.FormValue("entrance"), Room: c.FormValue("room"),
			Name: c.FormValue("name"), Flat: c.FormValue("flat"), Role: c.FormValue("role"), Dept: c.FormValue("department")}
		if err := s.changeDirectory(c, kind, "", "added"); err != nil {
			if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.ECONFLICT || code == academy.ETOOMANY {
				return s.sitePage(c, codeStatus[code], forms, academy.ErrorMessage(err))
			}
			return err
		}
		return siteRedirect(c, kind, "directory_saved")
	}
}

// changeDirectory applies the form's change of one entry (id "" adds one).
func (s *Server) changeDirectory(c *fiber.Ctx, kind, id, verb string) error {
	if _, err := s.Accounts.Sites.FindSite(c.UserContext(), c.Params("site")); err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	change, what, err := entryFromForm(c, kind, id)
	if err != nil {
		return err
	}
	_, err = s.Desk.ChangeDirectory(c.UserContext(), c.Params("site"), version, actor(c), academy.AuditDirectoryChanged, what+" "+verb, change)
	return err
}

// entryData is what the edit page of one entry shows.
type entryData struct {
	Site                         *academy.Site
	Kind, ID, Path               string
	Version                      int
	Building, Entrance, Room     string
	Name, Flat, Phone, Role, Dep string
	Label                        string // the flat's label, for titles
	Editable                     bool   // a flat in the form FlatOf makes
	Residents                    []residentRow
}

func (s *Server) siteEntry(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error { return s.entryPage(c, kind, fiber.StatusOK, "") }
}

func (s *Server) entryPage(c *fiber.Ctx, kind string, status int, errMsg string) error {
	site, dir, err := s.siteAndDirectory(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	d := entryData{Site: site, Kind: kind, ID: id, Version: dir.Version, Editable: true,
		Path: "/admin/sites/" + url.PathEscape(site.ID) + "/" + kind + "/" + url.PathEscape(id)}
	switch kind {
	case kindFlats:
		u := dir.Unit(id)
		if u == nil {
			return academy.Errorf(academy.ENOTFOUND, "没有这个房屋 / No such flat.")
		}
		d.Label = u.Label
		d.Building, d.Entrance, d.Room, d.Editable = academy.FlatParts(*u)
		for _, r := range dir.ResidentsOf(id) {
			d.Residents = append(d.Residents, residentRowOf(dir, r))
		}
	case kindResidents:
		r := dir.Resident(id)
		if r == nil {
			return academy.Errorf(academy.ENOTFOUND, "没有这位住户 / No such resident.")
		}
		row := residentRowOf(dir, *r)
		d.Name, d.Flat, d.Phone, d.Role, d.Label = r.Name, row.Flat, row.Phone, r.Role, r.Name
	default:
		m := dir.Member(id)
		if m == nil {
			return academy.Errorf(academy.ENOTFOUND, "没有这位部门成员 / No such department member.")
		}
		d.Name, d.Dep, d.Label = m.Name, m.Department, m.Name
	}
	if status != fiber.StatusOK && status != fiber.StatusConflict {
		// Show what was typed with the error, except a phone: it stays
		// masked whatever the form sent.
		d.Building, d.Entrance, d.Room = c.FormValue("building"), c.FormValue("entrance"), c.FormValue("room")
		d.Name, d.Flat, d.Role, d.Dep = c.FormValue("name"), c.FormValue("flat"), c.FormValue("role"), c.FormValue("department")
		if v, err := formVersion(c); err == nil {
			d.Version = v
		}
	}
	pg := s.newPage(c, "site.entry."+kind)
	pg.Error = errMsg
	pg.Data = d
	return s.renderStatus(c, status, "site_entry", pg)
}

func (s *Server) siteEntrySave(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := s.changeDirectory(c, kind, c.Params("id"), "changed"); err != nil {
			if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.ECONFLICT {
				return s.entryPage(c, kind, codeStatus[code], academy.ErrorMessage(err))
			}
			return err
		}
		return siteRedirect(c, kind, "directory_saved")
	}
}

func (s *Server) siteEntryDelete(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := func() error {
			if c.FormValue("confirm") != "yes" {
				return academy.Errorf(academy.EINVALID, "confirm: 请勾选确认后再删除 / tick the confirmation box to remove")
			}
			version, err := formVersion(c)
			if err != nil {
				return err
			}
			id := c.Params("id")
			remove := map[string]func(*academy.Directory) error{
				kindFlats:     func(d *academy.Directory) error { return d.RemoveUnit(id) },
				kindResidents: func(d *academy.Directory) error { return d.RemoveResident(id) },
				kindMembers:   func(d *academy.Directory) error { return d.RemoveMember(id) },
			}[kind]
			_, err = s.Desk.ChangeDirectory(c.UserContext(), c.Params("site"), version, actor(c), academy.AuditDirectoryChanged,
				strings.TrimSuffix(kind, "s")+" "+id+" removed", remove)
			return err
		}()
		if err != nil {
			if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.ECONFLICT {
				return s.entryPage(c, kind, codeStatus[code], academy.ErrorMessage(err))
			}
			return err
		}
		return siteRedirect(c, kind, "directory_removed")
	}
}

// siteRedirect goes back to the list a change was made in, with its flash.
func siteRedirect(c *fiber.Ctx, section, flash string) error {
	return c.Redirect("/admin/sites/"+url.PathEscape(c.Params("site"))+"?flash="+flash+"#"+section, fiber.StatusSeeOther)
}

// siteExport writes the directory as a workbook of three sheets, the one
// import reads. It holds full phone numbers, so it is audited.
func (s *Server) siteExport(c *fiber.Ctx) error {
	site, dir, err := s.siteAndDirectory(c)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	sheets := []struct {
		name string
		head []string
		rows [][]string
	}{
		{academy.SheetFlats, academy.FlatColumns, nil},
		{academy.SheetResidents, academy.ResidentColumns, nil},
		{academy.SheetMembers, academy.MemberColumns, nil},
	}
	for _, u := range dir.Units {
		b, e, r, ok := academy.FlatParts(u)
		if !ok {
			b, e, r = strings.TrimSuffix(u.Building, "栋"), "", u.ID
		}
		sheets[0].rows = append(sheets[0].rows, []string{b, e, r})
	}
	for _, r := range dir.Residents {
		flat := r.Unit
		if u := dir.Unit(r.Unit); u != nil {
			flat = u.Label
		}
		sheets[1].rows = append(sheets[1].rows, []string{r.ID, r.Name, flat, r.Phone, academy.RoleName(r.Role)})
	}
	for _, m := range dir.Members {
		sheets[2].rows = append(sheets[2].rows, []string{m.ID, m.Name, academy.DepartmentName(m.Department)})
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return err
		}
		// SetSheetRow writes Go strings as text cells, never formulas,
		// so a name such as "=HYPERLINK(…)" stays text, and a phone keeps
		// its leading zero.
		for j, line := range append([][]string{sh.head}, sh.rows...) {
			cell, err := excelize.CoordinatesToCellName(1, j+1)
			if err != nil {
				return err
			}
			row := make([]any, len(line))
			for k, v := range line {
				row[k] = v
			}
			if err := f.SetSheetRow(sh.name, cell, &row); err != nil {
				return err
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	if err := s.Desk.Audit.RecordAudit(c.UserContext(), &academy.AuditEvent{Time: s.Desk.Now(), Actor: currentUser(c).Username,
		Action: academy.AuditDirectoryExported, Target: site.ID, IP: c.IP(),
		Detail: fmt.Sprintf("%d flats, %d residents, %d members", len(dir.Units), len(dir.Residents), len(dir.Members))}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, attachment(site.ID+"-directory.xlsx"))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// siteImport replaces the directory with an uploaded workbook, all or
// nothing: every row is checked first and any problem writes nothing.
func (s *Server) siteImport(c *fiber.Ctx) error {
	forms, err := s.importDirectory(c)
	if err != nil {
		if code := academy.ErrorCode(err); code == academy.EINVALID || code == academy.ECONFLICT {
			forms.Kind = "import"
			return s.sitePage(c, codeStatus[code], forms, academy.ErrorMessage(err))
		}
		return err
	}
	return siteRedirect(c, "transfer", "directory_imported")
}

func (s *Server) importDirectory(c *fiber.Ctx) (siteForms, error) {
	var forms siteForms
	site, cur, err := s.siteAndDirectory(c)
	if err != nil {
		return forms, err
	}
	if c.FormValue("confirm") != "yes" {
		return forms, academy.Errorf(academy.EINVALID, "confirm: 导入会替换本项目的全部房屋、住户和部门成员，请勾选确认 / importing replaces every flat, resident and member of the site: tick the confirmation box")
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return forms, academy.Errorf(academy.EINVALID, "file: 请选择要导入的 .xlsx 文件 / choose the .xlsx file to import")
	}
	file, err := fh.Open()
	if err != nil {
		return forms, err
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, bodyLimit+1))
	if err != nil {
		return forms, err
	}
	wb, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: workbookUnzipLimit, UnzipXMLSizeLimit: workbookXMLLimit})
	if err != nil {
		return forms, academy.Errorf(academy.EINVALID, "file: 不是可读的 .xlsx 工作簿（请用“导出”得到的格式）/ not a readable .xlsx workbook (use the layout the export gives)")
	}
	defer wb.Close()
	var sheets [3][][]string
	for i, name := range []string{academy.SheetFlats, academy.SheetResidents, academy.SheetMembers} {
		rows, err := wb.GetRows(name)
		if err != nil {
			return forms, academy.Errorf(academy.EINVALID, "file: 缺少工作表“%s”；工作簿须有“房屋”“住户”“部门成员”三张表 / the sheet %q is missing: the workbook needs the sheets 房屋, 住户 and 部门成员", name, name)
		}
		if len(rows) > 0 {
			rows = rows[1:] // the header
		}
		sheets[i] = rows
	}
	d, probs := academy.DirectoryFromRows(sheets[0], sheets[1], sheets[2], cur)
	if len(probs) > 0 {
		forms.Problems = probs
		return forms, academy.Errorf(academy.EINVALID, "file: 有 %d 处问题，什么都没有导入；请改正后再导入 / %d problems: nothing was imported; correct them and import again", len(probs), len(probs))
	}
	detail := fmt.Sprintf("%d flats, %d residents, %d members", len(d.Units), len(d.Residents), len(d.Members))
	_, err = s.Desk.ChangeDirectory(c.UserContext(), site.ID, cur.Version, actor(c), academy.AuditDirectoryImported, detail, func(dir *academy.Directory) error {
		dir.Units, dir.Residents, dir.Members = d.Units, d.Residents, d.Members
		return nil
	})
	return forms, err
}
