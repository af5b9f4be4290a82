package http

import (
	"bytes"
	"html/template"
	"sync"

	"github.com/academy/academy/internal/catalog"
)

// lessonParts are the pieces of a lesson page that depend only on the
// lesson and the language. Executing them (the escapers of every heading
// link and objective) was most of a lesson page's template time, for
// output that changes only when the content does.
type lessonParts struct {
	Crumbs, Body, PrevNext, TOC template.HTML
}

// lessonCache keeps the parts of one catalog version; a new version (an
// import or an edit) drops them all, which keeps the cache the size of
// the content.
type lessonCache struct {
	tmpl    *template.Template
	mu      sync.Mutex
	version int64
	m       map[string]*lessonParts
}

func (lc *lessonCache) parts(snap *catalog.Snapshot, cc *catalog.Course, l *catalog.Lesson, lang string) (*lessonParts, error) {
	key := cc.Slug + "/" + l.Slug + "/" + lang
	lc.mu.Lock()
	if lc.version != snap.Version || lc.m == nil {
		lc.version, lc.m = snap.Version, map[string]*lessonParts{}
	}
	p := lc.m[key]
	lc.mu.Unlock()
	if p != nil {
		return p, nil
	}
	data := struct {
		Lang   string
		Course *catalog.Course
		Lesson *catalog.Lesson
	}{lang, cc, l}
	p = &lessonParts{}
	for _, part := range []struct {
		name string
		out  *template.HTML
	}{{"lesson-crumbs", &p.Crumbs}, {"lesson-body", &p.Body}, {"lesson-prevnext", &p.PrevNext}, {"lesson-toc", &p.TOC}} {
		var b bytes.Buffer
		if err := lc.tmpl.ExecuteTemplate(&b, part.name, data); err != nil {
			return nil, err
		}
		*part.out = template.HTML(b.String())
	}
	lc.mu.Lock()
	if lc.version == snap.Version {
		lc.m[key] = p
	}
	lc.mu.Unlock()
	return p, nil
}
