package badge

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// noFetch makes the compiler fail on any reference outside the vendored
// schema instead of downloading it.
type noFetch struct{}

func (noFetch) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not vendored in testdata", url)
}

// achievementCredentialSchema compiles 1EdTech's published JSON schema for
// OB 3.0 AchievementCredential (testdata/README.md), with formats such as
// date-time asserted rather than only annotated.
func achievementCredentialSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "ob_v3p0_achievementcredential_schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := doc.(map[string]any)["$id"].(string)
	c := jsonschema.NewCompiler()
	c.UseLoader(noFetch{})
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validate(sch *jsonschema.Schema, credential []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(credential))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

func TestCredentialsMatchOB3Schema(t *testing.T) {
	sch := achievementCredentialSchema(t)
	iss := testIssuer(t)

	plain := award
	plain.Number, plain.ValidUntil, plain.StatusListCredential = "", time.Time{}, ""
	for name, a := range map[string]Award{"full award": award, "without number, end or status": plain} {
		cred, err := iss.Issue(a, issuedAt)
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(sch, cred); err != nil {
			t.Errorf("%s does not match the OB 3.0 schema: %v\n%s", name, err, cred)
		}
	}

	// The schema is really applied: what it forbids is refused.
	var m map[string]any
	mustUnmarshal(t, string(issue(t, iss)), &m)
	identifier := func(c map[string]any) map[string]any {
		return path(c, "credentialSubject", "identifier").([]any)[0].(map[string]any)
	}
	for name, edit := range map[string]func(c map[string]any){
		"proof as an object":       func(c map[string]any) { c["proof"] = c["proof"].([]any)[0] },
		"no validFrom":             func(c map[string]any) { delete(c, "validFrom") },
		"validFrom not a date":     func(c map[string]any) { c["validFrom"] = "2025年3月1日" },
		"OB context missing":       func(c map[string]any) { c["@context"] = []any{ContextVC} },
		"hashed as a string":       func(c map[string]any) { identifier(c)["hashed"] = "false" },
		"identifier extra member":  func(c map[string]any) { identifier(c)["nickname"] = "小梅" },
		"unknown identityType":     func(c map[string]any) { identifier(c)["identityType"] = "nickname" },
		"no OpenBadgeCredential":   func(c map[string]any) { c["type"] = []any{"VerifiableCredential"} },
		"status without a type":    func(c map[string]any) { delete(c["credentialStatus"].(map[string]any), "type") },
		"achievement without type": func(c map[string]any) { delete(path(c, "credentialSubject", "achievement").(map[string]any), "type") },
	} {
		c := clone(t, m)
		edit(c)
		if err := validate(sch, marshal(t, c)); err == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}
