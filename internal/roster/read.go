// Package roster reads a staff roster (花名册) from a spreadsheet and
// brings the accounts in line with it: a plan first (what each row would
// create or change, and what it refuses), then the writes, through
// academy.Accounts so that each one is checked and audited as an admin's
// change is. It uses the domain and is never imported by it.
package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/academy/academy/internal/academy"
)

// MaxRows bounds a file: a company's roster, not a data dump. The bytes
// are bounded by the caller (the request body limit).
const MaxRows = 10000

// Bounds on what a small XLSX may unpack to, against a zip bomb.
const (
	unzipLimit    = 64 << 20
	unzipXMLLimit = 32 << 20
)

// Fields of a row, by their canonical (English) column names.
const (
	FieldEmployeeNo  = "employee_no"
	FieldLegalName   = "legal_name"
	FieldDisplayName = "display_name"
	FieldPhone       = "phone"
	FieldEmail       = "email"
	FieldDepartment  = "department"
	FieldPosition    = "position"
	FieldSites       = "sites"
	FieldRoles       = "roles"
	FieldHireDate    = "hire_date"
	FieldLeaveDate   = "leave_date"
	FieldUsername    = "username"
	// FieldStatus is no column: a plan's change of an account's status
	// (the leave date's, a sync's).
	FieldStatus = "status"
)

// columns are the headers a file may use, the Chinese one first: it is
// the one the plan names when the file did not have the column.
var columns = []struct {
	field   string
	headers []string
}{
	{FieldEmployeeNo, []string{"工号", "employee_no"}},
	{FieldLegalName, []string{"姓名", "legal_name"}},
	{FieldDisplayName, []string{"显示名", "display_name"}},
	{FieldPhone, []string{"手机", "phone"}},
	{FieldEmail, []string{"邮箱", "email"}},
	{FieldDepartment, []string{"部门", "department"}},
	{FieldPosition, []string{"岗位", "position"}},
	{FieldSites, []string{"项目", "sites"}},
	{FieldRoles, []string{"角色", "roles"}},
	{FieldHireDate, []string{"入职日期", "hired_at", "hire_date"}},
	{FieldLeaveDate, []string{"离职日期", "leave_date"}},
	{FieldUsername, []string{"账号", "username"}},
}

// File is a roster as read: each row's cells by field.
type File struct {
	// Header is the column name the file used for each field it has.
	Header map[string]string
	Rows   []Row
	// XLSX files hold dates as day numbers (Excel serials), which the
	// date columns then accept.
	XLSX bool
}

// Row is one person's line; Line is the row number the spreadsheet shows
// (the header is row 1).
type Row struct {
	Line  int
	Cells map[string]string
}

// Has reports whether the file has field's column.
func (f *File) Has(field string) bool { _, ok := f.Header[field]; return ok }

// Column names field's column as the file does (or by its Chinese name).
func (f *File) Column(field string) string {
	if h, ok := f.Header[field]; ok {
		return h
	}
	for _, c := range columns {
		if c.field == field {
			return c.headers[0]
		}
	}
	return field
}

// Read reads a roster from an XLSX workbook (its first sheet) or a CSV
// file in UTF-8 (with or without the byte-order mark Excel writes) or in
// GBK, as Excel saves "CSV" on a Chinese Windows.
func Read(data []byte) (*File, error) {
	var records [][]string
	var lines []int
	xlsx := bytes.HasPrefix(data, []byte("PK\x03\x04"))
	var err error
	if xlsx {
		records, lines, err = readXLSX(data)
	} else {
		records, lines, err = readCSV(data)
	}
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return nil, academy.Errorf(academy.EINVALID, "file: 文件是空的，第一行应为列名，如 工号,姓名,项目 / the file is empty; its first row must name the columns, like 工号,姓名,项目")
	}
	f := &File{Header: map[string]string{}, XLSX: xlsx}
	fields, err := f.readHeader(records[0])
	if err != nil {
		return nil, err
	}
	for i, rec := range records[1:] {
		row := Row{Line: lines[i+1], Cells: map[string]string{}}
		empty := true
		for j, v := range rec {
			v = strings.TrimSpace(v)
			if j >= len(fields) {
				if v != "" {
					return nil, academy.Errorf(academy.EINVALID, "file: 第 %d 行的单元格多于列名 / row %d has more cells than the header names", row.Line, row.Line)
				}
				continue
			}
			if fields[j] != "" && v != "" {
				row.Cells[fields[j]], empty = v, false
			}
		}
		if empty {
			continue
		}
		if len(f.Rows) == MaxRows {
			return nil, academy.Errorf(academy.EINVALID, "file: 最多 %d 行，请分成几个文件导入 / at most %d rows; import the roster in parts", MaxRows, MaxRows)
		}
		f.Rows = append(f.Rows, row)
	}
	return f, nil
}

// readHeader maps the header row to fields; an unknown column is refused
// by name, since its data would otherwise be dropped unseen.
func (f *File) readHeader(rec []string) ([]string, error) {
	fields := make([]string, len(rec))
	var unknown []string
	for i, h := range rec {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		field := ""
		for _, c := range columns {
			if slices.ContainsFunc(c.headers, func(s string) bool { return strings.EqualFold(s, h) }) {
				field = c.field
			}
		}
		if field == "" {
			unknown = append(unknown, h)
			continue
		}
		if prev, dup := f.Header[field]; dup {
			return nil, academy.Errorf(academy.EINVALID, "file: 列“%s”与“%s”重复 / the columns %q and %q are the same", prev, h, prev, h)
		}
		f.Header[field], fields[i] = h, field
	}
	if len(unknown) > 0 {
		var known []string
		for _, c := range columns {
			known = append(known, c.headers[0])
		}
		return nil, academy.Errorf(academy.EINVALID, "file: 不认识的列：%s（可用的列：%s）/ unknown columns: %s (known: %s)",
			strings.Join(unknown, "、"), strings.Join(known, "、"), strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	if !f.Has(FieldEmployeeNo) && !f.Has(FieldUsername) {
		return nil, academy.Errorf(academy.EINVALID, "file: 须有“工号”或“账号”列，用来认出每个人 / needs an employee_no (工号) or a username (账号) column to tell people apart")
	}
	return fields, nil
}

func readCSV(data []byte) ([][]string, []int, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(data) {
		// GB18030 is a superset of GBK: it reads what Excel writes.
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return nil, nil, academy.Errorf(academy.EINVALID, "file: 读不出文件的编码，请另存为 UTF-8 CSV 或 XLSX / the file is neither UTF-8 nor GBK text; save it as UTF-8 CSV or XLSX")
		}
		data = decoded
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	var records [][]string
	var lines []int
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, nil, academy.Errorf(academy.EINVALID, "file: 第 %d 行不是有效的 CSV（引号不成对？）/ row %d is not valid CSV (unbalanced quotes?)", line, line)
		}
		line, _ := r.FieldPos(0)
		records, lines = append(records, rec), append(lines, line)
		if len(records) > MaxRows+1 {
			return nil, nil, academy.Errorf(academy.EINVALID, "file: 最多 %d 行，请分成几个文件导入 / at most %d rows; import the roster in parts", MaxRows, MaxRows)
		}
	}
	return records, lines, nil
}

func readXLSX(data []byte) ([][]string, []int, error) {
	bad := academy.Errorf(academy.EINVALID, "file: 读不出这个 XLSX 文件，请用 Excel 另存后再试 / the XLSX file cannot be read; save it again from Excel")
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: unzipLimit, UnzipXMLSizeLimit: unzipXMLLimit})
	if err != nil {
		return nil, nil, bad
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, bad
	}
	// Raw values: a date cell gives its day number, not the text of
	// whatever display format the sheet chose.
	records, err := wb.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, nil, bad
	}
	if len(records) > MaxRows+1 {
		return nil, nil, academy.Errorf(academy.EINVALID, "file: 最多 %d 行，请分成几个文件导入 / at most %d rows; import the roster in parts", MaxRows, MaxRows)
	}
	// GetRows keeps empty rows, so a row's index is its number less one.
	lines := make([]int, len(records))
	for i := range lines {
		lines[i] = i + 1
	}
	return records, lines, nil
}

// splitList splits a cell listing sites or roles, separated as people
// type lists: 、 , ; ， ； or spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、,;，； \t", r) })
}
