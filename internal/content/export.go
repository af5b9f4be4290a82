package content

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/academy/academy/internal/academy"
)

// courseFile is course.yaml, in the field order trainers read.
type courseFile struct {
	Title         string   `yaml:"title"`
	Summary       string   `yaml:"summary"`
	Audience      string   `yaml:"audience"`
	Minutes       int      `yaml:"minutes"`
	Order         int      `yaml:"order"`
	Prerequisites []string `yaml:"prerequisites,flow"`
	Tags          []string `yaml:"tags,flow"`
}

type lessonFront struct {
	Title      string   `yaml:"title"`
	Minutes    int      `yaml:"minutes"`
	Objectives []string `yaml:"objectives"`
}

// CourseFiles renders a course in the file format: path (relative to the
// course folder) -> content. Reading the result back gives a course with the
// same ContentHash.
func CourseFiles(c *academy.Course) (map[string][]byte, error) {
	out := map[string][]byte{}
	meta, err := yaml.Marshal(courseFile{c.Title, c.Summary, c.Audience, c.Minutes, c.Order, c.Prerequisites, c.Tags})
	if err != nil {
		return nil, err
	}
	out["course.yaml"] = meta
	width := 2
	if len(c.Lessons) > 99 {
		width = 3
	}
	for i, l := range c.Lessons {
		front, err := yaml.Marshal(lessonFront{l.Title, l.Minutes, l.Objectives})
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		b.WriteString("---\n")
		b.Write(front)
		b.WriteString("---\n")
		b.WriteString(l.Body)
		out[fmt.Sprintf("%0*d-%s.md", width, i+1, l.Slug)] = b.Bytes()
	}
	for _, a := range c.Assets {
		out[a.Name] = a.Data
	}
	return out, nil
}

// ExportCourse writes a course into dir/<slug>/, replacing the lesson files
// there so that renamed or removed lessons do not linger.
func ExportCourse(c *academy.Course, dir string) error {
	files, err := CourseFiles(c)
	if err != nil {
		return err
	}
	target := filepath.Join(dir, c.Slug)
	if old, err := filepath.Glob(filepath.Join(target, "*.md")); err == nil {
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	for name, data := range files {
		p := filepath.Join(target, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
