package http

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/catalog"
	"github.com/academy/academy/internal/gzipjoin"
)

// The lesson page is the page learners load most, and nearly all of it is
// the same for everyone who sees the same lesson with the same menu:
// executing its template (escapers called through reflection) and gzipping
// the result cost ten times what the learner's own few values do. So the
// page is rendered once per lesson, language, menu, notice and done state
// with markers where those values go, split at the markers and compressed
// piece by piece; a request fills the gaps (see package gzipjoin).
// TestLessonPageIsTheTemplate holds it to the template's output.

// lessonSlot is a per-request value of a lesson page.
type lessonSlot int

const (
	slotCSRF lessonSlot = iota
	slotName
	slotPath
	slotPosition
	slotDoneCount
	lessonSlots
)

// lessonSkeleton is a lesson page split at its slots: pieces[i] is
// followed by the value of slots[i], and the last piece by nothing.
type lessonSkeleton struct {
	pieces        []gzipjoin.Piece
	slots         []lessonSlot
	raw, deflated int
}

// lessonView is what the lesson template receives.
type lessonView struct {
	Course *catalog.Course
	Lesson *catalog.Lesson
	// Quiz is the course's quiz, where the last lesson leads (nil: none).
	Quiz     *academy.Quiz
	Done     bool
	Position string
	// DoneCount and Total are the course's finished and all lessons; any
	// because the skeleton puts a marker where the count goes.
	DoneCount, Total any
}

// lessonPages keeps the skeletons of one catalog version; a new version
// (an import or an edit) drops them all, so the cache stays the size of
// the content times the menus in use. A notice in the query is part of
// the key, so links with every notice there is could grow it: past max
// (maxLessonPages) it starts again.
type lessonPages struct {
	// marker starts every slot marker; it is random per process so that
	// no lesson text can contain it.
	marker  string
	max     int
	mu      sync.Mutex
	version int64
	m       map[string]*lessonSkeleton
}

// maxLessonPages bounds the skeletons kept (about 15 KB each).
const maxLessonPages = 2048

func newLessonPages() *lessonPages {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return &lessonPages{marker: "zq" + hex.EncodeToString(b) + "q", max: maxLessonPages}
}

func (lp *lessonPages) slotMarker(sl lessonSlot) string {
	return lp.marker + strconv.Itoa(int(sl)) + "qz"
}

// htmlEscape escapes text exactly as html/template does in text and quoted
// attribute values, the only places the slots are.
var htmlEscape = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

func (s *Server) lessonPage(c *fiber.Ctx) error {
	snap, cc, err := s.course(c)
	if err != nil {
		return err
	}
	l := cc.Lesson(c.Params("lesson"))
	if l == nil {
		return academy.Errorf(academy.ENOTFOUND, "课时不存在 / Lesson %q not found.", c.Params("lesson"))
	}
	u := currentUser(c)
	p, err := s.Learning.Progress.FindProgress(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	all := snap.Domain()
	st := p.Status(cc.Course, all)
	if st.Locked() {
		return academy.LockedError(st.Missing, all)
	}
	cp := p.Course(cc.Slug)
	pg := s.newPage(c, "courses.title")
	done := cp.Done(l.Slug)
	sk, err := s.lessonPages.skeleton(s, snap, pg, cc, l, done)
	if err != nil {
		return err
	}
	var vals [lessonSlots]string
	vals[slotCSRF] = htmlEscape.Replace(pg.CSRF)
	vals[slotName] = htmlEscape.Replace(u.DisplayName)
	vals[slotPath] = htmlEscape.Replace(pg.Active)
	vals[slotPosition] = strconv.FormatFloat(cp.Position[l.Slug], 'f', 3, 64)
	vals[slotDoneCount] = strconv.Itoa(st.Done)

	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	c.Type("html", "utf-8")
	if !c.Request().Header.HasAcceptEncoding("gzip") {
		b := make([]byte, 0, sk.raw+256)
		for i := range sk.pieces {
			b = append(b, sk.pieces[i].Raw...)
			if i < len(sk.slots) {
				b = append(b, vals[sk.slots[i]]...)
			}
		}
		return c.Send(b)
	}
	size := sk.deflated
	for _, sl := range sk.slots {
		size += gzipjoin.LiteralSize(vals[sl])
	}
	z := gzipjoin.NewStream(size)
	for i := range sk.pieces {
		z.Piece(&sk.pieces[i])
		if i < len(sk.slots) {
			z.Literal(vals[sk.slots[i]])
		}
	}
	c.Set(fiber.HeaderContentEncoding, "gzip")
	return c.Send(z.Bytes())
}

// skeleton returns the page of l as pg's user sees it, built on first use.
func (lp *lessonPages) skeleton(s *Server, snap *catalog.Snapshot, pg *page, cc *catalog.Course, l *catalog.Lesson, done bool) (*lessonSkeleton, error) {
	// The header's unread count is part of the page: one copy per count
	// shown (past 99 they all read "99+"), most readers sharing 0.
	key := pg.navKey + "\x00" + cc.Slug + "/" + l.Slug + "\x00" + pg.Flash + "\x00" + strconv.FormatBool(done) + "\x00" + strconv.Itoa(min(pg.Unread, 100))
	lp.mu.Lock()
	if lp.version != snap.Version || lp.m == nil {
		lp.version, lp.m = snap.Version, map[string]*lessonSkeleton{}
	}
	sk := lp.m[key]
	lp.mu.Unlock()
	if sk != nil {
		return sk, nil
	}
	sk, err := lp.build(s, pg, cc, l, courseQuiz(snap, cc.Slug), done)
	if err != nil {
		return nil, err
	}
	lp.mu.Lock()
	if lp.version == snap.Version {
		if len(lp.m) >= lp.max {
			lp.m = map[string]*lessonSkeleton{}
		}
		lp.m[key] = sk
	}
	lp.mu.Unlock()
	return sk, nil
}

// build renders the page with a marker in every slot and splits it there.
// The user is reduced to the name's marker, so a template change that
// shows more of the user cannot put one learner's details into another's
// page; it shows as a difference from the template instead.
func (lp *lessonPages) build(s *Server, pg *page, cc *catalog.Course, l *catalog.Lesson, quiz *academy.Quiz, done bool) (*lessonSkeleton, error) {
	shape := *pg
	shape.User = &academy.User{DisplayName: lp.slotMarker(slotName)}
	shape.CSRF = lp.slotMarker(slotCSRF)
	shape.Active = lp.slotMarker(slotPath)
	shape.Data = lessonView{Course: cc, Lesson: l, Quiz: quiz, Done: done, Position: lp.slotMarker(slotPosition),
		DoneCount: lp.slotMarker(slotDoneCount), Total: len(cc.Lessons)}
	var b bytes.Buffer
	if err := s.pages["lesson"].ExecuteTemplate(&b, "layout", &shape); err != nil {
		return nil, err
	}
	sk := &lessonSkeleton{}
	rest := b.Bytes()
	for {
		i := bytes.Index(rest, []byte(lp.marker))
		if i < 0 {
			break
		}
		after := rest[i+len(lp.marker):]
		j := bytes.Index(after, []byte("qz"))
		n, err := strconv.Atoi(string(after[:max(j, 0)]))
		if j < 0 || err != nil || n < 0 || n >= int(lessonSlots) {
			return nil, fmt.Errorf("lesson page: a slot marker was changed by the template near %q", after[:min(len(after), 20)])
		}
		if err := sk.add(rest[:i]); err != nil {
			return nil, err
		}
		sk.slots = append(sk.slots, lessonSlot(n))
		rest = after[j+2:]
	}
	return sk, sk.add(rest)
}

func (sk *lessonSkeleton) add(raw []byte) error {
	p, err := gzipjoin.Compress(bytes.Clone(raw))
	if err != nil {
		return err
	}
	sk.pieces = append(sk.pieces, p)
	sk.raw += len(raw)
	sk.deflated += p.Size()
	return nil
}
