package badge

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
)

// The academy's certificates, as the server signs them: the legal name,
// the program's wording, places in more than one revocation list. Digital
// Bazaar's verifier and 1EdTech's schema accept them, and a revocation
// reads as revoked in the list the credential names, and only there.
func TestCertificatesVerifyOutside(t *testing.T) {
	iss := testIssuer(t)
	signer := &Certificates{Issuer: iss, Base: "https://academy.example/"}
	program := &academy.Program{Slug: "desk", Name: "客服上岗认证", Description: "独立处理真实工单前的认证。", ValidityMonths: 12,
		Requirements: academy.Requirements{Courses: []string{"ethics"},
			Quizzes:   []academy.QuizRequirement{{Quiz: "final-exam", MinPercent: 80}},
			Scenarios: []string{"water-leak", "angry-owner"}, MinScenarios: 1}}
	titles := map[string]string{"course/ethics": "职业道德", "quiz/final-exam": "结业考试", "scenario/water-leak": "楼上漏水", "scenario/angry-owner": "愤怒的业主"}
	wording := program.Wording(func(kind, slug string) string { return titles[kind+"/"+slug] })
	// Digital Bazaar checks status lists against the real clock.
	now := time.Now().Add(-time.Hour).Truncate(time.Second)
	cert := func(n string, index int) (*academy.Certificate, []byte) {
		c := &academy.Certificate{Number: n, Username: "wang", Holder: "王小新", Program: "desk", ProgramName: "客服上岗认证",
			Seq: 1, IssuedAt: now, ExpiresAt: now.AddDate(1, 0, 0), StatusIndex: index}
		b, err := signer.SignCertificate(c, program, wording, now)
		if err != nil {
			t.Fatal(err)
		}
		return c, b
	}
	_, first := cert("AC-0000-0000-0000-0001", 5)
	_, second := cert("AC-0000-0000-0000-0002", academy.StatusListSize+5) // the same place, in the second list

	var c map[string]any
	mustUnmarshal(t, string(first), &c)
	status := c["credentialStatus"].(map[string]any)
	if status["statusListCredential"] != "https://academy.example/credentials/status/1" || status["statusListIndex"] != "5" {
		t.Fatalf("credentialStatus %v", status)
	}
	if got := path(c, "credentialSubject", "achievement", "id"); got != "https://academy.example/programs/desk" {
		t.Fatalf("achievement id %v", got)
	}
	narrative := path(c, "credentialSubject", "achievement", "criteria", "narrative").(string)
	for _, want := range []string{"职业道德", "结业考试（80 分以上）", "2 个中通过 1 个", "楼上漏水", "结业考试 (80% or more)", "Valid for 12 months"} {
		if !strings.Contains(narrative, want) {
			t.Errorf("criteria %q lacks %q", narrative, want)
		}
	}
	if got := path(c, "credentialSubject", "identifier").([]any)[0].(map[string]any)["identityHash"]; got != "王小新" {
		t.Errorf("holder %v", got)
	}
	sch := achievementCredentialSchema(t)
	for _, b := range [][]byte{first, second} {
		if err := validate(sch, b); err != nil {
			t.Errorf("schema: %v", err)
		}
	}

	profile, err := json.Marshal(iss.Profile())
	if err != nil {
		t.Fatal(err)
	}
	list := func(n int, revoked ...int) json.RawMessage {
		b, err := signer.SignStatusList(n, revoked, now)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// Place 5 is revoked: the first credential's. The second credential
	// holds place 5 of list 2, which leaves out places of other lists.
	docs := map[string]json.RawMessage{iss.ID: profile,
		signer.StatusListURL(1): list(1, 5), signer.StatusListURL(2): list(2, 5)}
	results := referenceVerify(t, now.Add(time.Minute), []verifierScenario{{Documents: docs,
		Cases: []verifierCase{{"first", first}, {"second", second}}}})
	for name, revoked := range map[string]bool{"first": true, "second": false} {
		r := results[name]
		if !r.Verified || r.Revoked == nil || *r.Revoked != revoked {
			t.Errorf("%s: verified %v, revoked %v (want %v): %q", name, r.Verified, r.Revoked, revoked, r.Errors)
		}
	}
	if _, err := signer.SignStatusList(1, []int{5, academy.StatusListSize + 1}, now); err != nil {
		t.Errorf("places of other lists are not left out: %v", err)
	}
	if got := signer.StatusListURL(3); !strings.HasSuffix(got, "/credentials/status/"+strconv.Itoa(3)) || strings.Contains(got, "//credentials") {
		t.Errorf("status list URL %q", got)
	}
}
