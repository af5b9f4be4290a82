package xapi

import (
	"encoding/json"
	"math"
	"regexp"
	"testing"
	"time"
)

const base = "https://academy.example/"

var uuid4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// decode marshals s and reads it back as generic JSON, as an LRS would.
func decode(t *testing.T, s Statement) map[string]any {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	return m
}

// get follows a path of keys through decoded JSON.
func get(t *testing.T, m map[string]any, path ...string) any {
	t.Helper()
	var v any = m
	for _, k := range path {
		o, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%v: %q is not in an object", path, k)
		}
		if v, ok = o[k]; !ok {
			t.Fatalf("%v: no %q", path, k)
		}
	}
	return v
}

func checkCommon(t *testing.T, m map[string]any, verbID, objectID, objectType string, at time.Time) {
	t.Helper()
	if id, _ := m["id"].(string); !uuid4.MatchString(id) {
		t.Errorf("id %q is not a UUID v4", id)
	}
	if got := get(t, m, "verb", "id"); got != verbID {
		t.Errorf("verb id = %v, want %s", got, verbID)
	}
	for _, lang := range []string{"en-US", "zh-CN"} {
		if d, _ := get(t, m, "verb", "display", lang).(string); d == "" {
			t.Errorf("verb display has no %s", lang)
		}
	}
	if got := get(t, m, "actor", "objectType"); got != "Agent" {
		t.Errorf("actor objectType = %v", got)
	}
	if got := get(t, m, "actor", "account", "homePage"); got != "https://academy.example" {
		t.Errorf("account homePage = %v", got)
	}
	if got := get(t, m, "actor", "account", "name"); got != "lihua" {
		t.Errorf("account name = %v", got)
	}
	if got := get(t, m, "actor", "name"); got != "李华" {
		t.Errorf("actor name = %v", got)
	}
	if _, ok := get(t, m, "actor").(map[string]any)["mbox"]; ok {
		t.Error("actor has an mbox besides the account")
	}
	if got := get(t, m, "object", "objectType"); got != "Activity" {
		t.Errorf("object objectType = %v", got)
	}
	if got := get(t, m, "object", "id"); got != objectID {
		t.Errorf("object id = %v, want %s", got, objectID)
	}
	if got := get(t, m, "object", "definition", "type"); got != objectType {
		t.Errorf("object type = %v, want %s", got, objectType)
	}
	if n, _ := get(t, m, "object", "definition", "name", "zh-CN").(string); n == "" {
		t.Error("object has no name")
	}
	ts, _ := m["timestamp"].(string)
	parsed, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		t.Fatalf("timestamp %q: %v", ts, err)
	}
	if !parsed.Equal(at.Truncate(time.Millisecond)) {
		t.Errorf("timestamp %s, want %s", parsed, at)
	}
	if ts[len(ts)-1] != 'Z' {
		t.Errorf("timestamp %q is not UTC", ts)
	}
}

func checkScore(t *testing.T, m map[string]any, raw, max float64, success bool) {
	t.Helper()
	if got := get(t, m, "result", "score", "raw"); got != raw {
		t.Errorf("raw = %v, want %v", got, raw)
	}
	if got := get(t, m, "result", "score", "min"); got != 0.0 {
		t.Errorf("min = %v", got)
	}
	if got := get(t, m, "result", "score", "max"); got != max {
		t.Errorf("max = %v, want %v", got, max)
	}
	if got := get(t, m, "result", "score", "scaled").(float64); math.Abs(got-raw/max) > 1e-12 {
		t.Errorf("scaled = %v, want %v", got, raw/max)
	}
	if got := get(t, m, "result", "success"); got != success {
		t.Errorf("success = %v, want %v", got, success)
	}
	if got := get(t, m, "result", "completion"); got != true {
		t.Errorf("completion = %v", got)
	}
}

// at is in a zone other than UTC and has sub-millisecond digits.
var at = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.FixedZone("CST", 8*3600))

func TestCourseCompleted(t *testing.T) {
	m := decode(t, CourseCompleted(base, "lihua", "李华", "first-aid", "急救入门", at))
	checkCommon(t, m, "http://adlnet.gov/expapi/verbs/completed", "https://academy.example/courses/first-aid", TypeCourse, at)
	if got := get(t, m, "result", "completion"); got != true {
		t.Errorf("completion = %v", got)
	}
	if _, ok := get(t, m, "result").(map[string]any)["score"]; ok {
		t.Error("a completed course has a score")
	}
}

func TestQuizGraded(t *testing.T) {
	m := decode(t, QuizGraded(base, "lihua", "李华", "safety", "安全测验", 17, 20, true, at))
	checkCommon(t, m, "http://adlnet.gov/expapi/verbs/passed", "https://academy.example/quizzes/safety", TypeAssessment, at)
	checkScore(t, m, 17, 20, true)

	m = decode(t, QuizGraded(base, "lihua", "李华", "safety", "安全测验", 9, 20, false, at))
	checkCommon(t, m, "http://adlnet.gov/expapi/verbs/failed", "https://academy.example/quizzes/safety", TypeAssessment, at)
	checkScore(t, m, 9, 20, false)
}

func TestScenarioCompleted(t *testing.T) {
	for _, passed := range []bool{true, false} {
		m := decode(t, ScenarioCompleted(base, "lihua", "李华", "leak", "漏水报修", 7.5, 10, passed, at))
		checkCommon(t, m, "http://adlnet.gov/expapi/verbs/completed", "https://academy.example/scenarios/leak", TypeSimulation, at)
		checkScore(t, m, 7.5, 10, passed)
	}
}

func TestCertificateEarned(t *testing.T) {
	m := decode(t, CertificateEarned(base, "lihua", "李华", "property-mgmt", "物业管理师", "PM 2026/0042", at))
	checkCommon(t, m, "http://id.tincanapi.com/verb/earned",
		"https://academy.example/programs/property-mgmt/certificates/PM%202026%2F0042", TypeCertificate, at)
	if got := get(t, m, "object", "definition", "name", "zh-CN"); got != "物业管理师" {
		t.Errorf("name = %v", got)
	}
	if _, ok := m["result"]; ok {
		t.Error("a certificate statement has a result")
	}
}

func TestScoreOutOfRange(t *testing.T) {
	// max 0 has no scaled score: the statement carries success only.
	s := QuizGraded(base, "u", "", "q", "Q", 0, 0, false, at)
	if s.Result.Score != nil || s.Result.Success == nil || *s.Result.Success {
		t.Errorf("max 0: result %+v", s.Result)
	}
	if _, err := json.Marshal(s); err != nil {
		t.Errorf("max 0: %v", err)
	}
	// raw above max is kept within the range xAPI allows.
	s = QuizGraded(base, "u", "", "q", "Q", 12, 10, true, at)
	if sc := s.Result.Score; sc.Raw != 10 || sc.Scaled != 1 {
		t.Errorf("raw 12 of 10: %+v", sc)
	}
	s = QuizGraded(base, "u", "", "q", "Q", math.NaN(), 10, true, at)
	if _, err := json.Marshal(s); err != nil {
		t.Errorf("NaN score: %v", err)
	}
}

func TestUniqueIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		id := CourseCompleted(base, "u", "", "c", "C", at).ID
		if !uuid4.MatchString(id) {
			t.Fatalf("id %q is not a UUID v4", id)
		}
		if seen[id] {
			t.Fatalf("id %s twice", id)
		}
		seen[id] = true
	}
}

func TestVerbsAreNotShared(t *testing.T) {
	s := CourseCompleted(base, "u", "", "c", "C", at)
	s.Verb.Display["en-US"] = "changed"
	if Completed.Display["en-US"] != "completed" {
		t.Error("changing a statement's verb changed the package's verb")
	}
}

func TestZeroTimeIsNow(t *testing.T) {
	before := time.Now().Add(-time.Second)
	s := CourseCompleted(base, "u", "", "c", "C", time.Time{})
	if s.Timestamp.Before(before) || s.Timestamp.After(time.Now().Add(time.Second)) {
		t.Errorf("timestamp %s is not now", s.Timestamp)
	}
}

// TestEventID: one id per event, whoever records it and whenever; another
// occurrence, learner or object is another event.
func TestEventID(t *testing.T) {
	a := QuizGraded(base, "u", "", "q", "Q", 8, 10, true, at)
	b := QuizGraded(base, "u", "另一个名字", "q", "Q", 8, 10, true, at.Add(time.Second))
	id := EventID(a, "attempt-1")
	if id != EventID(b, "attempt-1") {
		t.Error("the same event recorded twice got two ids")
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("id %q is not a version 5 UUID", id)
	}
	for _, other := range []string{
		EventID(a, "attempt-2"),
		EventID(QuizGraded(base, "v", "", "q", "Q", 8, 10, true, at), "attempt-1"),
		EventID(QuizGraded(base, "u", "", "q", "Q", 8, 10, false, at), "attempt-1"),
		EventID(QuizGraded(base, "u", "", "q2", "Q", 8, 10, true, at), "attempt-1"),
	} {
		if other == id {
			t.Errorf("two events share id %s", id)
		}
	}
}
