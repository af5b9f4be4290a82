// Package pdf renders certificates as PDF.
package pdf

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// Certificate is what the PDF shows.
type Certificate struct {
	Number    string // e.g. "AC-7K2Q9M4XW3P8"
	Holder    string // the person's name, Chinese
	Program   string // e.g. "客服上岗认证"
	Issuer    string // e.g. "物业客服学院"
	IssuedAt  time.Time
	ExpiresAt time.Time
	// Zone is where the dates are read as days: the holder's (times come
	// from the database in UTC; a certificate issued at 07:00 Beijing
	// time must not show the day before). Nil is UTC.
	Zone      *time.Location
	VerifyURL string // encoded in the QR code and printed under it
	// Criteria and CriteriaEN say what the program required, e.g.
	// "已学完 7 门课程，8 项测验均达到 80 分……" and its English.
	Criteria, CriteriaEN string
}

// The core PDF fonts have no CJK glyphs, so a CJK TrueType font travels with
// the binary. fpdf embeds only the glyphs a document uses, which keeps a
// certificate far smaller than the 4 MB font file.
//
//go:embed fonts/DroidSansFallbackFull.ttf
var fontTTF []byte

const (
	// cjkFamily is the fpdf family name of the embedded font; fpdf names
	// the subset font in the PDF "utf8" + cjkFamily.
	cjkFamily = "droidsans"
	// Droid Sans Fallback is a fallback font: it has CJK but no Latin
	// letters or digits (they come out as boxes). ASCII runs are set in
	// core Helvetica, which every PDF viewer has and which costs no bytes.
	latinFamily = "Helvetica"

	pageW, pageH = 297.0, 210.0 // A4 landscape, mm
	margin       = 10.0         // outer frame inset

	// qrScale is the pixel width of one QR module. Whole pixels per module
	// keep the module edges sharp however the viewer scales the image.
	qrScale = 8
)

type rgb struct{ r, g, b int }

// Palette: deep teal for structure, muted gold for ornament.
var (
	ink   = rgb{38, 38, 38}
	muted = rgb{110, 110, 110}
	teal  = rgb{16, 78, 90}
	gold  = rgb{176, 141, 87}
)

// Render returns the PDF bytes of a one-page A4 landscape certificate.
func Render(c Certificate) (out []byte, err error) {
	if c.VerifyURL == "" {
		return nil, errors.New("pdf: certificate has no verify URL")
	}
	// fpdf maps only the Basic Multilingual Plane (it panics beyond), and the
	// font has no glyphs there anyway (e.g. CJK Extension B in rare names);
	// say which character is the problem rather than print a box.
	for _, s := range []string{c.Number, c.Holder, c.Program, c.Issuer, c.VerifyURL, c.Criteria, c.CriteriaEN} {
		for _, r := range s {
			if r > 0xFFFF {
				return nil, fmt.Errorf("pdf: cannot print %q (U+%04X) in %q", r, r, s)
			}
		}
	}
	qr, err := qrPNG(c.VerifyURL)
	if err != nil {
		return nil, err
	}

	// fpdf reports most problems through Err, but its TrueType parser and
	// image decoders can still panic on input they do not expect; a caller
	// serving a download should get an error instead of a crashed handler.
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("pdf: render: %v", r)
		}
	}()

	f := fpdf.New("L", "mm", "A4", "")
	f.SetCompression(true)
	f.SetAutoPageBreak(false, 0)
	f.SetMargins(0, 0, 0)
	// Fixed dates and sorted objects make the output a function of the
	// certificate alone, so a re-render yields the same bytes (ETag, caching).
	f.SetCatalogSort(true)
	f.SetCreationDate(c.IssuedAt)
	f.SetModificationDate(c.IssuedAt)
	f.SetTitle(c.Program+" 结业证书", true)
	f.SetAuthor(c.Issuer, true)
	f.SetSubject(c.Number, true)
	f.SetCreator("academy", false)
	f.SetLang("zh-CN")
	f.AddUTF8FontFromBytes(cjkFamily, "", fontTTF)
	f.AddPage()

	d := &doc{Fpdf: f}
	d.frame()
	d.heading(c)
	d.body(c)
	d.details(c)
	d.qr(qr, c.VerifyURL)

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: render: %w", err)
	}
	return buf.Bytes(), nil
}

// qrPNG encodes url as a QR code PNG, qrScale pixels per module, including
// the 4-module quiet zone scanners need. Medium recovery (15%) survives
// print smudges without making the code denser than necessary.
func qrPNG(url string) ([]byte, error) {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("pdf: qr code: %w", err)
	}
	png, err := q.PNG(-qrScale)
	if err != nil {
		return nil, fmt.Errorf("pdf: qr code: %w", err)
	}
	return png, nil
}

// doc wraps fpdf with text helpers that switch between the CJK and the
// Latin font within one string, since neither font covers both scripts.
type doc struct {
	*fpdf.Fpdf
	size float64 // current text size, pt
}

func (d *doc) frame() {
	// Thick teal outer rule, thin gold inner rule: the classic diploma frame.
	d.SetDrawColor(teal.r, teal.g, teal.b)
	d.SetLineWidth(1.6)
	d.Rect(margin, margin, pageW-2*margin, pageH-2*margin, "D")
	in := margin + 3.5
	d.SetDrawColor(gold.r, gold.g, gold.b)
	d.SetLineWidth(0.35)
	d.Rect(in, in, pageW-2*in, pageH-2*in, "D")

	// Small gold squares on the inner corners.
	const s = 3.0
	d.SetFillColor(gold.r, gold.g, gold.b)
	for _, x := range []float64{in - s/2, pageW - in - s/2} {
		for _, y := range []float64{in - s/2, pageH - in - s/2} {
			d.Rect(x, y, s, s, "F")
		}
	}
}

func (d *doc) heading(c Certificate) {
	d.style(muted, 12)
	d.centered(30, spaced(c.Issuer))

	// The font has no bold face; fill+stroke (render mode 2) with a thin
	// outline thickens the strokes enough for a title.
	d.style(teal, 40)
	d.SetDrawColor(teal.r, teal.g, teal.b)
	d.SetLineWidth(0.35)
	d.SetTextRenderingMode(2)
	d.centered(48, "结 业 证 书")
	d.SetTextRenderingMode(0)

	d.style(gold, 9)
	d.centered(60, spaced("CERTIFICATE OF COMPLETION"))

	// Gold rule with a diamond in the middle.
	d.SetDrawColor(gold.r, gold.g, gold.b)
	d.SetLineWidth(0.4)
	d.Line(pageW/2-45, 67, pageW/2-4, 67)
	d.Line(pageW/2+4, 67, pageW/2+45, 67)
	d.Polygon([]fpdf.PointType{{X: pageW / 2, Y: 65}, {X: pageW/2 + 2, Y: 67}, {X: pageW / 2, Y: 69}, {X: pageW/2 - 2, Y: 67}}, "F")

	d.style(ink, 26)
	d.fit(c.Program, 220, 14)
	d.centered(82, c.Program)
}

func (d *doc) body(c Certificate) {
	// "兹证明" small, the name large on a gold underline a little wider than
	// it; the pair is measured together so it sits centred on the page.
	const lead = "兹证明"
	const gap, pad, base = 6.0, 4.0, 103.0 // mm; base is the baseline
	d.style(ink, 15)
	lw := d.width(lead)
	d.style(teal, 24)
	d.fit(c.Holder, 200, 14)
	nw := d.width(c.Holder)
	x := (pageW - lw - gap - nw - 2*pad) / 2
	d.text(x+lw+gap+pad, base, c.Holder)
	d.style(ink, 15)
	d.text(x, base, lead)
	d.SetDrawColor(gold.r, gold.g, gold.b)
	d.SetLineWidth(0.3)
	d.Line(x+lw+gap, base+2.5, x+lw+gap+nw+2*pad, base+2.5)

	d.style(ink, 13)
	y := base + 13
	for _, l := range d.lines(c.Criteria, pageW-80) {
		d.centered(y, l)
		y += 7
	}
	d.style(muted, 9)
	for _, l := range d.lines(c.CriteriaEN, pageW-80) {
		d.centered(y, l)
		y += 4.5
	}
}

func (d *doc) details(c Certificate) {
	rows := [][2]string{
		{"证书编号", c.Number},
		{"发证日期", chineseDate(c.IssuedAt, c.Zone)},
		{"有效期至", chineseDate(c.ExpiresAt, c.Zone)},
		{"发证机构", c.Issuer},
	}
	const x, y0, step = 32.0, 160.0, 8.0
	for i, r := range rows {
		y := y0 + float64(i)*step
		d.style(muted, 11)
		d.text(x, y, r[0])
		d.style(ink, 11)
		d.text(x+24, y, r[1])
	}
}

func (d *doc) qr(png []byte, url string) {
	const size = 34.0          // mm: about 1 mm per module for a typical URL
	const right = pageW - 22.0 // right edge of the QR block
	const top = 142.0          // puts the note on the baseline of the last detail row
	opts := fpdf.ImageOptions{ImageType: "PNG"}
	d.RegisterImageOptionsReader("qr", opts, bytes.NewReader(png))
	d.ImageOptions("qr", right-size, top, size, size, false, opts, 0, "")

	// The lines under the code are wider than it; right-align them to the
	// code's edge so they stay inside the frame.
	const w = 100.0
	d.style(muted, 8)
	d.fit(url, w, 5)
	y := top + size + 3.5
	for _, l := range d.lines(url, w) {
		d.text(right-d.width(l), y, l)
		y += 3.5
	}
	d.style(muted, 8)
	const note = "扫描二维码或访问上述网址核验证书真伪"
	d.text(right-d.width(note), y+1, note)
}

func (d *doc) style(c rgb, size float64) {
	d.SetTextColor(c.r, c.g, c.b)
	d.size = size
}

// runs splits s into maximal pieces that are all ASCII or all not, each
// with the family that has glyphs for it.
func runs(s string) (out [][2]string) {
	start := 0
	for i, r := range s {
		if i > start && (r < utf8.RuneSelf) != (s[start] < utf8.RuneSelf) {
			out = append(out, [2]string{s[start:i], family(s[start])})
			start = i
		}
	}
	if start < len(s) {
		out = append(out, [2]string{s[start:], family(s[start])})
	}
	return out
}

func family(b byte) string {
	if b < utf8.RuneSelf {
		return latinFamily
	}
	return cjkFamily
}

func (d *doc) width(s string) (w float64) {
	for _, r := range runs(s) {
		d.SetFont(r[1], "", d.size)
		w += d.GetStringWidth(r[0])
	}
	return w
}

// text writes s with its left end at x and its baseline at y.
func (d *doc) text(x, y float64, s string) {
	for _, r := range runs(s) {
		d.SetFont(r[1], "", d.size)
		d.Text(x, y, r[0])
		x += d.GetStringWidth(r[0])
	}
}

// centered writes s with its baseline at y, centred on the page.
func (d *doc) centered(y float64, s string) {
	d.text((pageW-d.width(s))/2, y, s)
}

// fit lowers the text size, not below min, until s is at most w mm wide,
// so an unusually long name or program shrinks instead of leaving the page.
func (d *doc) fit(s string, w, min float64) {
	for d.size > min && d.width(s) > w {
		d.size--
	}
}

// lines breaks s greedily into lines at most w mm wide. Chinese may break
// between any two characters; a Latin word moves to the next line whole
// unless it is wider than a line by itself (a long URL), then it breaks
// anywhere.
func (d *doc) lines(s string, w float64) []string {
	var out []string
	line := ""
	for _, u := range units(s) {
		switch {
		case d.width(line+u) <= w:
			line += u
		case d.width(u) <= w:
			out = append(out, strings.TrimRight(line, " "))
			line = u
		default:
			for _, r := range u {
				if line != "" && d.width(line+string(r)) > w {
					out = append(out, line)
					line = ""
				}
				line += string(r)
			}
		}
	}
	if line != "" || len(out) == 0 {
		out = append(out, line)
	}
	return out
}

// units splits s into unbreakable pieces: single non-ASCII runes and ASCII
// words with their trailing spaces.
func units(s string) []string {
	var out []string
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r >= utf8.RuneSelf {
			out = append(out, s[:n])
			s = s[n:]
			continue
		}
		i := 0
		for i < len(s) && s[i] != ' ' && s[i] < utf8.RuneSelf {
			i++
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}

// spaced puts a space between runes: letter-spacing for short headings,
// which fpdf cannot do for UTF-8 fonts.
func spaced(s string) string {
	var b []rune
	for i, r := range []rune(s) {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, r)
	}
	return string(b)
}

// chineseDate formats t as 2026年3月5日 in loc. The zero time means
// "no expiry", printed as 长期有效 rather than as year 1.
func chineseDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "长期有效"
	}
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}
