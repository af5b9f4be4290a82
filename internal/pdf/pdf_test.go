package pdf

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

func sample() Certificate {
	beijing, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return Certificate{
		Zone:       beijing,
		Number:     "AC-7K2Q9M4XW3P8",
		Holder:     "王晓梅",
		Program:    "客服上岗认证",
		Issuer:     "物业客服学院",
		IssuedAt:   time.Date(2026, 3, 4, 23, 30, 0, 0, time.UTC), // 3月5日 in Beijing
		ExpiresAt:  time.Date(2028, 3, 4, 16, 0, 0, 0, time.UTC),
		VerifyURL:  "https://academy.example.com/verify/AC-7K2Q9M4XW3P8",
		Criteria:   "已学完 7 门课程，8 项测验均达到 80 分，在 8 个情景演练中通过 5 个，成绩合格，特发此证。",
		CriteriaEN: "Has completed 7 courses, scored 80% or more in 8 quizzes, passed 5 of 8 practice calls.",
	}
}

func TestRender(t *testing.T) {
	c := sample()
	b, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("output starts with %q, want %%PDF-", b[:min(len(b), 8)])
	}
	// The whole 4 MB font would blow this; only a subset may be embedded.
	if len(b) > 1500*1024 {
		t.Fatalf("PDF is %d bytes, want under 1.5 MB", len(b))
	}
	t.Logf("PDF size: %d bytes", len(b))
	for _, want := range []string{"/FontFile2", "/BaseFont /utf8" + cjkFamily, "/Subtype /Image"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("PDF lacks %q", want)
		}
	}

	again, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		t.Error("rendering the same certificate twice gave different bytes")
	}

	text := pdfText(t, b)
	if text == "" {
		return
	}
	for _, want := range []string{c.Holder, c.Program, c.Number, c.Issuer, c.VerifyURL,
		"结业证书", "8 项测验均达到 80 分", "passed 5 of 8 practice calls", "2026年3月5日", "2028年3月5日", "扫描二维码或访问上述网址核验证书真伪"} {
		// pdfText drops spaces; so must the wanted text.
		if !strings.Contains(text, strings.Join(strings.Fields(want), "")) {
			t.Errorf("extracted text lacks %q:\n%s", want, text)
		}
	}
}

// pdfText extracts the text with poppler's pdftotext, or returns "" when it
// is not installed (Debian package poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext not installed (apt-get install poppler-utils); text not checked")
		return ""
	}
	in := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	// pdftotext may put spaces between runs drawn separately.
	return strings.Join(strings.Fields(string(out)), "")
}

func TestRenderOddInput(t *testing.T) {
	long := strings.Repeat("物业服务企业客户服务中心前台接待与投诉处理", 4)
	cases := map[string]func(*Certificate){
		"long program":   func(c *Certificate) { c.Program = long },
		"long holder":    func(c *Certificate) { c.Holder = long },
		"long url":       func(c *Certificate) { c.VerifyURL += "?token=" + strings.Repeat("x", 300) },
		"latin in names": func(c *Certificate) { c.Program = "ISO 9001 物业服务 Level 2"; c.Holder = "Anna 李" },
		"extension a":    func(c *Certificate) { c.Holder = "王䶮" }, // U+4DAE, in the BMP
		"long criteria":  func(c *Certificate) { c.Criteria, c.CriteriaEN = long+long, strings.Repeat("passed many calls ", 20) },
		"empty fields":   func(c *Certificate) { *c = Certificate{VerifyURL: "https://x.test/v"} },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			c := sample()
			edit(&c)
			b, err := Render(c)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Fatal("not a PDF")
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	c := sample()
	c.VerifyURL = ""
	if _, err := Render(c); err == nil {
		t.Error("no error without a verify URL")
	}
	c.VerifyURL = strings.Repeat("x", 5000) // beyond QR capacity
	if _, err := Render(c); err == nil {
		t.Error("no error for a URL too long for a QR code")
	}
	c = sample()
	c.Holder = "𠮷田" // U+20BB7 lies outside the BMP
	if _, err := Render(c); err == nil || !strings.Contains(err.Error(), "U+20BB7") {
		t.Errorf("err = %v, want one naming U+20BB7", err)
	}
}

// TestQRPNG checks the embedded image without a QR decoder: the PNG must be
// qrScale pixels per module of the symbol go-qrcode computed for the URL,
// and every module's centre pixel must have that module's colour.
func TestQRPNG(t *testing.T) {
	url := sample().VerifyURL
	b, err := qrPNG(url)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	bits := q.Bitmap() // includes the quiet zone
	n := len(bits)
	if want := image.Rect(0, 0, n*qrScale, n*qrScale); img.Bounds() != want {
		t.Fatalf("QR image is %v, want %v", img.Bounds(), want)
	}
	for y, row := range bits {
		for x, dark := range row {
			r, _, _, _ := img.At(x*qrScale+qrScale/2, y*qrScale+qrScale/2).RGBA()
			if (r < 0x8000) != dark {
				t.Fatalf("module (%d,%d): dark=%v in PNG, want %v", x, y, r < 0x8000, dark)
			}
		}
	}
}

func TestLines(t *testing.T) {
	d := &doc{Fpdf: newTestPDF(t), size: 12}
	for _, s := range []string{
		"已完成「客服上岗认证」全部课程的学习，并通过理论与实操考核。",
		"ISO 9001 quality management 物业服务 Level 2 course",
		"https://academy.example.com/verify/" + strings.Repeat("AC7K2Q9M", 10),
	} {
		const w = 40.0
		ls := d.lines(s, w)
		if got := strings.Join(ls, ""); strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(s, " ", "") {
			t.Errorf("lines(%q) lost text: %q", s, ls)
		}
		for _, l := range ls {
			if d.width(l) > w {
				t.Errorf("line %q is %.1f mm wide, want at most %.0f", l, d.width(l), w)
			}
		}
		// Latin words stay whole when they fit on a line.
		for _, l := range ls[:len(ls)-1] {
			if strings.HasSuffix(l, "qualit") || strings.HasSuffix(l, "manag") {
				t.Errorf("word split at %q", l)
			}
		}
	}
}

func TestChineseDate(t *testing.T) {
	chinaTime, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[time.Time]string{
		time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC): "2027年1月1日",
		time.Date(2026, 3, 5, 0, 0, 0, 0, chinaTime):   "2026年3月5日",
		{}: "长期有效",
	} {
		if got := chineseDate(in, chinaTime); got != want {
			t.Errorf("chineseDate(%v) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	c := sample()
	for b.Loop() {
		if _, err := Render(c); err != nil {
			b.Fatal(err)
		}
	}
}

func newTestPDF(t *testing.T) *fpdf.Fpdf {
	t.Helper()
	f := fpdf.New("L", "mm", "A4", "")
	f.AddUTF8FontFromBytes(cjkFamily, "", fontTTF)
	f.AddPage()
	if err := f.Error(); err != nil {
		t.Fatal(err)
	}
	return f
}
