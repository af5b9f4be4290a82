package http_test

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/academy/academy/internal/academy"
)

// Answers are bounded by their question's shape: a multiple-choice answer
// of 100,000 entries once made an attempt of 813 KB that took 2 s to
// submit. Each refusal is a 400 naming the question and the rule, and
// saves nothing of the request; the edge values a learner really sends
// (false, 0, an emptied answer) still save.
func TestAnswersBoundedByQuestion(t *testing.T) {
	e := newEnv(t)
	e.finishCourses("trainee", "ethics")
	var a apiAttempt
	e.api("POST", "/api/v1/quizzes/ethics/attempts", "trainee", nil).json(t, &a)
	byType := map[string]string{}
	opts := map[string][]string{}
	for _, q := range a.Questions {
		if _, ok := byType[q.Type]; !ok {
			byType[q.Type] = q.ID
		}
		for _, o := range q.Options {
			opts[q.ID] = append(opts[q.ID], o.ID)
		}
	}
	for _, typ := range []string{academy.QSingle, academy.QMultiple, academy.QTrueFalse, academy.QFill, academy.QOrdering, academy.QMatching, academy.QNumeric} {
		if byType[typ] == "" {
			t.Fatalf("the ethics quiz has no %s question; the test needs one of each type", typ)
		}
	}
	single, multi, tf, fill, order, match, num := byType[academy.QSingle], byType[academy.QMultiple], byType[academy.QTrueFalse],
		byType[academy.QFill], byType[academy.QOrdering], byType[academy.QMatching], byType[academy.QNumeric]
	var matchItem string
	for _, q := range a.Questions {
		if q.ID == match {
			matchItem = q.Items[0].ID
		}
	}
	stored := func() map[string]academy.Response {
		got, err := e.deps.Examiner.Attempts.FindAttempt(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Answers
	}
	huge := make([]string, 100_000)
	for i := range huge {
		huge[i] = opts[multi][0]
	}
	mo := opts[multi]
	for _, c := range []struct {
		name    string
		answers map[string]any
		msg     string
	}{
		{"100,000 choices", map[string]any{multi: huge}, "answers." + multi + ": 100000 choices given; the question has"},
		{"one option twice", map[string]any{multi: []string{mo[0], mo[0]}}, "answers." + multi + `: "` + mo[0] + `" is given twice`},
		{"an unknown option", map[string]any{multi: []string{"zz"}}, "answers." + multi + `: "zz" is not an option`},
		{"a partial order", map[string]any{order: opts[order][:2]}, "answers." + order + fmt.Sprintf(": the order must list the %d items", len(opts[order]))},
		{"an order with a repeat", map[string]any{order: append([]string{opts[order][0]}, opts[order][:len(opts[order])-1]...)}, "answers." + order + ": "},
		{"an order too long", map[string]any{order: append(opts[order], opts[order]...)}, "answers." + order + ": the order must list"},
		{"an unknown matching item", map[string]any{match: map[string]string{"zz": opts[match][0]}}, "answers." + match + `: "zz" is not an item`},
		{"a long fill answer", map[string]any{fill: strings.Repeat("长", 200+1)}, fmt.Sprintf("answers.%s: at most %d characters (this has %d)", fill, 200, 200+1)},
		{"a number out of range", map[string]any{num: json1e400{}}, "answers." + num + ": must be a number"},
		{"an unknown question", map[string]any{"ghost": "a"}, "answers.ghost: no such question"},
		// One bad answer refuses the request whole: the good one beside it
		// is not saved either.
		{"a good and a bad answer", map[string]any{single: opts[single][0], multi: huge}, "answers." + multi + ":"},
	} {
		before := stored()
		res := e.api("PUT", "/api/v1/attempts/"+a.ID+"/answers", "trainee", map[string]any{"answers": c.answers})
		var body struct{ Error struct{ Message string } }
		res.json(t, &body)
		if res.StatusCode != 400 || !strings.Contains(body.Error.Message, c.msg) {
			t.Errorf("%s: %d %.300s, want 400 with %q", c.name, res.StatusCode, res.Body, c.msg)
		}
		if after := stored(); !reflect.DeepEqual(after, before) {
			t.Errorf("%s was refused but saved %v", c.name, after)
		}
	}

	// The edge values that must still save.
	f, zero := false, 0.0
	ok := map[string]any{tf: false, num: 0, fill: strings.Repeat("长", 200), multi: mo,
		order: opts[order], match: map[string]string{matchItem: opts[match][0]}, single: opts[single][0]}
	if res := e.api("PUT", "/api/v1/attempts/"+a.ID+"/answers", "trainee", map[string]any{"answers": ok}); res.StatusCode != 200 {
		t.Fatalf("edge values: %d %s", res.StatusCode, res.Body)
	}
	got := stored()
	if got[tf].Bool == nil || *got[tf].Bool != f || got[num].Number == nil || *got[num].Number != zero || len(got[multi].Choices) != len(mo) {
		t.Fatalf("edge values saved as %+v %+v %+v", got[tf], got[num], got[multi])
	}
	// Emptied answers clear what was saved.
	res := e.api("PUT", "/api/v1/attempts/"+a.ID+"/answers", "trainee", map[string]any{"answers": map[string]any{multi: []string{}, fill: "", order: nil, match: map[string]string{}}})
	if res.StatusCode != 200 {
		t.Fatalf("emptied answers: %d %s", res.StatusCode, res.Body)
	}
	got = stored()
	for _, q := range []string{multi, fill, order, match} {
		if r := got[q]; !r.Blank() {
			t.Errorf("emptied answer to %s saved as %+v", q, r)
		}
	}

	// The web form goes through the same checks.
	b := e.browser()
	b.loginAs("trainee")
	tok := b.csrf("/attempts/" + a.ID)
	before := stored()
	for name, form := range map[string]url.Values{
		"a repeated checkbox": {"_csrf": {tok}, "a." + multi: {mo[0], mo[0]}},
		"a long fill answer":  {"_csrf": {tok}, "a." + fill: {strings.Repeat("长", 200+1)}, "a." + single: {opts[single][0]}},
	} {
		if res := b.post("/attempts/"+a.ID, form); res.StatusCode != 400 || !strings.Contains(res.Body, "answers.") {
			t.Errorf("form with %s: %d", name, res.StatusCode)
		}
	}
	if after := stored(); !reflect.DeepEqual(after, before) {
		t.Errorf("a refused form saved %v", after)
	}
	if res := b.post("/attempts/"+a.ID, url.Values{"_csrf": {tok}, "a." + tf: {"false"}, "a." + num: {"0"}}); res.StatusCode != 303 {
		t.Fatalf("form with false and 0: %d", res.StatusCode)
	}
	if got := stored(); got[tf].Bool == nil || *got[tf].Bool || got[num].Number == nil || *got[num].Number != 0 {
		t.Fatalf("form's false and 0 saved as %+v %+v", got[tf], got[num])
	}
}

// json1e400 marshals as a number no float64 holds.
type json1e400 struct{}

func (json1e400) MarshalJSON() ([]byte, error) { return []byte("1e400"), nil }
