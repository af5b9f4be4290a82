// Package xapi turns learning events into xAPI 1.0.3 statements and sends
// them to a Learning Record Store, retrying until it takes them.
package xapi

import (
	"crypto/rand"
	"encoding/hex"
	"maps"
	"math"
	"net/url"
	"strings"
	"time"
)

// Version is the xAPI version statements are written in and sent with.
const Version = "1.0.3"

// Verbs. completed, passed and failed are ADL's; ADL has no verb for
// receiving a credential, so certificates use the Tin Can registry's earned.
var (
	Completed = Verb{ID: "http://adlnet.gov/expapi/verbs/completed", Display: map[string]string{"en-US": "completed", "zh-CN": "完成"}}
	Passed    = Verb{ID: "http://adlnet.gov/expapi/verbs/passed", Display: map[string]string{"en-US": "passed", "zh-CN": "通过"}}
	Failed    = Verb{ID: "http://adlnet.gov/expapi/verbs/failed", Display: map[string]string{"en-US": "failed", "zh-CN": "未通过"}}
	Earned    = Verb{ID: "http://id.tincanapi.com/verb/earned", Display: map[string]string{"en-US": "earned", "zh-CN": "获得"}}
)

// Activity types of the objects the builders produce.
const (
	TypeCourse      = "http://adlnet.gov/expapi/activities/course"
	TypeAssessment  = "http://adlnet.gov/expapi/activities/assessment"
	TypeSimulation  = "http://adlnet.gov/expapi/activities/simulation"
	TypeCertificate = "http://id.tincanapi.com/activitytype/certificate"
)

// nameLang is the language tag of activity names: the site's content is
// written in Simplified Chinese (locale.Default).
const nameLang = "zh-CN"

// Verb is what the actor did.
type Verb struct {
	ID      string            `json:"id"`
	Display map[string]string `json:"display"`
}

// Actor is the learner, identified by their account on the site.
type Actor struct {
	ObjectType string  `json:"objectType"`
	Name       string  `json:"name,omitempty"`
	Account    Account `json:"account"`
}

// Account identifies a user by the site (HomePage) and their username.
type Account struct {
	HomePage string `json:"homePage"`
	Name     string `json:"name"`
}

// Activity is the object of a statement.
type Activity struct {
	ObjectType string     `json:"objectType"`
	ID         string     `json:"id"`
	Definition Definition `json:"definition"`
}

// Definition describes an activity.
type Definition struct {
	Name map[string]string `json:"name"`
	Type string            `json:"type,omitempty"`
}

// Result is the outcome of a statement.
type Result struct {
	Score      *Score `json:"score,omitempty"`
	Success    *bool  `json:"success,omitempty"`
	Completion *bool  `json:"completion,omitempty"`
}

// Score is a graded outcome; Scaled is Raw/Max, in [0, 1].
type Score struct {
	Scaled float64 `json:"scaled"`
	Raw    float64 `json:"raw"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Statement is an xAPI statement.
type Statement struct {
	ID        string    `json:"id"` // UUID v4 from the builders; the Recorder's are per event (EventID)
	Actor     Actor     `json:"actor"`
	Verb      Verb      `json:"verb"`
	Object    Activity  `json:"object"`
	Result    *Result   `json:"result,omitempty"`
	Timestamp time.Time `json:"timestamp"`
}

// CourseCompleted records that a learner finished every lesson of a course.
func CourseCompleted(base, username, name, course, courseTitle string, at time.Time) Statement {
	return Statement{
		ID:        newID(),
		Actor:     actor(base, username, name),
		Verb:      verb(Completed),
		Object:    activity(base, courseTitle, TypeCourse, "courses", course),
		Result:    &Result{Completion: ptr(true)},
		Timestamp: timestamp(at),
	}
}

// QuizGraded records a graded quiz attempt: passed or failed, with the score
// and success flag.
func QuizGraded(base, username, name, quiz, quizTitle string, score, max float64, passed bool, at time.Time) Statement {
	v := Failed
	if passed {
		v = Passed
	}
	return Statement{
		ID:        newID(),
		Actor:     actor(base, username, name),
		Verb:      verb(v),
		Object:    activity(base, quizTitle, TypeAssessment, "quizzes", quiz),
		Result:    &Result{Score: newScore(score, max), Success: ptr(passed), Completion: ptr(true)},
		Timestamp: timestamp(at),
	}
}

// ScenarioCompleted records a finished scenario run: the completed verb, with
// the score and whether the run met the pass mark as success.
func ScenarioCompleted(base, username, name, scenario, title string, score, max float64, passed bool, at time.Time) Statement {
	return Statement{
		ID:        newID(),
		Actor:     actor(base, username, name),
		Verb:      verb(Completed),
		Object:    activity(base, title, TypeSimulation, "scenarios", scenario),
		Result:    &Result{Score: newScore(score, max), Success: ptr(passed), Completion: ptr(true)},
		Timestamp: timestamp(at),
	}
}

// CertificateEarned records that a learner was awarded a certificate. The
// object is the certificate itself, identified by program and number and
// named after the program.
func CertificateEarned(base, username, name, program, programName, number string, at time.Time) Statement {
	return Statement{
		ID:        newID(),
		Actor:     actor(base, username, name),
		Verb:      verb(Earned),
		Object:    activity(base, programName, TypeCertificate, "programs", program, "certificates", number),
		Timestamp: timestamp(at),
	}
}

func actor(base, username, name string) Actor {
	return Actor{ObjectType: "Agent", Name: name, Account: Account{HomePage: homePage(base), Name: username}}
}

// verb copies v so that a statement never shares its display map with the
// package variables or with other statements.
func verb(v Verb) Verb {
	return Verb{ID: v.ID, Display: maps.Clone(v.Display)}
}

// activity builds an activity whose id is base followed by the escaped path
// segments, e.g. https://academy.example/courses/intro.
func activity(base, title, typ string, segments ...string) Activity {
	var b strings.Builder
	b.WriteString(homePage(base))
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return Activity{
		ObjectType: "Activity",
		ID:         b.String(),
		Definition: Definition{Name: map[string]string{nameLang: title}, Type: typ},
	}
}

func homePage(base string) string { return strings.TrimRight(base, "/") }

// newScore returns the score of raw out of max with min 0, or nil when max is
// not a positive number (xAPI requires min < max, and scaled would be
// undefined). raw is kept within [0, max], as xAPI requires; an LRS rejects a
// statement whose raw score lies outside min..max, and a rejected statement
// would stay in the outbox for ever.
func newScore(raw, max float64) *Score {
	if math.IsNaN(max) || math.IsInf(max, 0) || max <= 0 || math.IsNaN(raw) {
		return nil
	}
	raw = math.Min(math.Max(raw, 0), max)
	return &Score{Scaled: raw / max, Raw: raw, Min: 0, Max: max}
}

// timestamp returns at in UTC to the millisecond: LRSs keep milliseconds,
// so a statement read back (or re-sent from storage) compares equal.
// The zero time means now.
func timestamp(at time.Time) time.Time {
	if at.IsZero() {
		at = time.Now()
	}
	return at.UTC().Truncate(time.Millisecond)
}

func ptr[T any](v T) *T { return &v }

// newID returns a random (version 4) UUID.
func newID() string {
	var u [16]byte
	// crypto/rand.Read never fails (Go 1.24+).
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], u[10:16])
	return string(s[:])
}
