package main

import (
	"strings"
	"testing"

	"github.com/academy/academy/internal/worklogin"
)

func TestWorkLoginFlags(t *testing.T) {
	secrets := map[string]string{"ACADEMY_WECOM_SECRET": "ws", "ACADEMY_DINGTALK_CLIENT_SECRET": "ds", "ACADEMY_FEISHU_APP_SECRET": "fs"}
	full := func() *workFlags {
		w := &workFlags{wecomCorpID: "ww1", wecomAgentID: "1000002", dingtalkClientID: "ding1", feishuAppID: "cli_1",
			create: map[string]*[2]string{"wecom": {}, "dingtalk": {}, "feishu": {}}}
		return w
	}
	bad := map[string]struct {
		edit    func(*workFlags)
		public  string
		missing string
		want    string
	}{
		"no public url":       {func(*workFlags) {}, "", "", "--public-url is required"},
		"no wecom secret":     {func(*workFlags) {}, "https://academy.example.com", "ACADEMY_WECOM_SECRET", "ACADEMY_WECOM_SECRET is required with --wecom-corp-id"},
		"no dingtalk secret":  {func(*workFlags) {}, "https://academy.example.com", "ACADEMY_DINGTALK_CLIENT_SECRET", "ACADEMY_DINGTALK_CLIENT_SECRET is required with --dingtalk-client-id"},
		"no feishu secret":    {func(*workFlags) {}, "https://academy.example.com", "ACADEMY_FEISHU_APP_SECRET", "ACADEMY_FEISHU_APP_SECRET is required with --feishu-app-id"},
		"wecom without agent": {func(w *workFlags) { w.wecomAgentID = "" }, "https://academy.example.com", "", "--wecom-agent-id is required"},
		"agent without corp":  {func(w *workFlags) { w.wecomCorpID = "" }, "https://academy.example.com", "", "--wecom-corp-id is required"},
		"site without role":   {func(w *workFlags) { w.create["feishu"][0] = "s1" }, "https://academy.example.com", "", "--feishu-create-site and --feishu-create-role go together"},
		"admin by platform":   {func(w *workFlags) { *w.create["dingtalk"] = [2]string{"s1", "admin"} }, "https://academy.example.com", "", `--dingtalk-create-role "admin"`},
		"creation of one off": {func(w *workFlags) { w.feishuAppID = ""; *w.create["feishu"] = [2]string{"s1", "agent"} }, "https://academy.example.com", "", "--feishu-app-id is required"},
	}
	for name, c := range bad {
		w := full()
		c.edit(w)
		env := func(v string) string {
			if v == c.missing {
				return ""
			}
			return secrets[v]
		}
		if _, err := w.config(c.public, env); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	w := full()
	w.wecomField, w.feishuUserID = "工号", true
	*w.create["wecom"] = [2]string{"s1", "agent"}
	got, err := w.config("https://academy.example.com", func(v string) string { return secrets[v] })
	if err != nil || len(got) != 3 {
		t.Fatalf("%v %v", got, err)
	}
	wc, ok := got[0].Provider.(*worklogin.WeCom)
	if !ok || wc.CorpID != "ww1" || wc.AgentID != "1000002" || wc.Secret != "ws" || wc.Field != "工号" || got[0].CreateSite != "s1" || got[0].CreateRole != "agent" {
		t.Fatalf("wecom: %+v %+v", got[0], got[0].Provider)
	}
	if d, ok := got[1].Provider.(*worklogin.DingTalk); !ok || d.ClientID != "ding1" || d.Secret != "ds" || d.UserIDFallback {
		t.Fatalf("dingtalk: %+v", got[1].Provider)
	}
	if f, ok := got[2].Provider.(*worklogin.Feishu); !ok || f.AppID != "cli_1" || f.Secret != "fs" || !f.UserIDFallback {
		t.Fatalf("feishu: %+v", got[2].Provider)
	}
	off := &workFlags{create: map[string]*[2]string{"wecom": {}, "dingtalk": {}, "feishu": {}}}
	if got, err := off.config("", func(string) string { return "" }); got != nil || err != nil {
		t.Fatalf("off: %v %v", got, err)
	}
}

// The flags read their environment variables, and a secret is never a
// flag.
func TestWorkLoginEnv(t *testing.T) {
	t.Setenv("ACADEMY_FEISHU_APP_ID", "cli_env")
	t.Setenv("ACADEMY_FEISHU_USER_ID_FALLBACK", "1")
	t.Setenv("ACADEMY_FEISHU_CREATE_SITE", "s2")
	fs := newFlagSet("academy serve", "", nil)
	w, err := newWorkFlags(fs)
	if err != nil {
		t.Fatal(err)
	}
	if w.feishuAppID != "cli_env" || !w.feishuUserID || w.create["feishu"][0] != "s2" {
		t.Fatalf("%+v", w)
	}
	for _, name := range []string{"wecom-secret", "dingtalk-client-secret", "feishu-app-secret"} {
		if fs.Lookup(name) != nil {
			t.Errorf("--%s: a secret must not be a flag", name)
		}
	}
	t.Setenv("ACADEMY_DINGTALK_USERID_FALLBACK", "maybe")
	if _, err := newWorkFlags(newFlagSet("academy serve", "", nil)); err == nil || !strings.Contains(err.Error(), "ACADEMY_DINGTALK_USERID_FALLBACK") {
		t.Fatalf("bad boolean: %v", err)
	}
}
