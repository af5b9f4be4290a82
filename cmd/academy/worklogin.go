package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/http"
	"github.com/academy/academy/internal/worklogin"
)

// workFlags are the settings of sign-in through the company chat
// platforms; each platform is on when its app is named, and its secret
// comes from the environment only.
type workFlags struct {
	wecomCorpID, wecomAgentID, wecomField string
	dingtalkClientID                      string
	dingtalkUserID                        bool
	feishuAppID                           string
	feishuUserID                          bool
	// create holds each platform's --KEY-create-site and --KEY-create-role.
	create map[string]*[2]string
}

// workPlatform names a platform's flag that turns it on and the variable
// that holds its secret.
type workPlatform struct{ key, name, idFlag, secretVar string }

var workPlatforms = []workPlatform{
	{"wecom", "企业微信", "wecom-corp-id", "ACADEMY_WECOM_SECRET"},
	{"dingtalk", "钉钉", "dingtalk-client-id", "ACADEMY_DINGTALK_CLIENT_SECRET"},
	{"feishu", "飞书", "feishu-app-id", "ACADEMY_FEISHU_APP_SECRET"},
}

func newWorkFlags(fs *flagSet) (*workFlags, error) {
	w := &workFlags{create: map[string]*[2]string{}}
	fs.StringVar(&w.wecomCorpID, "wecom-corp-id", envOr("ACADEMY_WECOM_CORP_ID", ""), "企业微信 corp id (企业ID) for sign-in through 企业微信; empty turns it off. The app's secret comes from the environment only, ACADEMY_WECOM_SECRET; 企业微信 must send people back to PUBLIC-URL/login/wecom/callback (env ACADEMY_WECOM_CORP_ID)")
	fs.StringVar(&w.wecomAgentID, "wecom-agent-id", envOr("ACADEMY_WECOM_AGENT_ID", ""), "AgentId of the 企业微信 app people sign in with (env ACADEMY_WECOM_AGENT_ID)")
	fs.StringVar(&w.wecomField, "wecom-employee-field", envOr("ACADEMY_WECOM_EMPLOYEE_FIELD", ""), "where 企业微信 holds the employee number: empty for the userid itself, alias, or the name of a member's extra attribute such as 工号 (env ACADEMY_WECOM_EMPLOYEE_FIELD)")
	fs.StringVar(&w.dingtalkClientID, "dingtalk-client-id", envOr("ACADEMY_DINGTALK_CLIENT_ID", ""), "钉钉 app Client ID (AppKey) for sign-in through 钉钉; empty turns it off. The Client Secret comes from the environment only, ACADEMY_DINGTALK_CLIENT_SECRET; 钉钉 must send people back to PUBLIC-URL/login/dingtalk/callback (env ACADEMY_DINGTALK_CLIENT_ID)")
	fs.StringVar(&w.feishuAppID, "feishu-app-id", envOr("ACADEMY_FEISHU_APP_ID", ""), "飞书 App ID for sign-in through 飞书; empty turns it off. The App Secret comes from the environment only, ACADEMY_FEISHU_APP_SECRET; 飞书 must send people back to PUBLIC-URL/login/feishu/callback (env ACADEMY_FEISHU_APP_ID)")
	for _, b := range []struct {
		v    *bool
		name string
		help string
	}{
		{&w.dingtalkUserID, "dingtalk-userid-fallback", "match a 钉钉 member without a job number (工号) by their userid (env ACADEMY_DINGTALK_USERID_FALLBACK=1)"},
		{&w.feishuUserID, "feishu-user-id-fallback", "match a 飞书 person without an employee number (工号) by their user_id (env ACADEMY_FEISHU_USER_ID_FALLBACK=1)"},
	} {
		env := "ACADEMY_" + upperSnake(b.name)
		def, err := strconv.ParseBool(envOr(env, "false"))
		if err != nil {
			return nil, fmt.Errorf("%s=%q is not a boolean", env, os.Getenv(env))
		}
		fs.BoolVar(b.v, b.name, def, b.help)
	}
	for _, p := range workPlatforms {
		c := &[2]string{}
		w.create[p.key] = c
		site, role := p.key+"-create-site", p.key+"-create-role"
		fs.StringVar(&c[0], site, envOr("ACADEMY_"+upperSnake(site), ""), "with --"+role+": open an account on this site for a person "+p.name+" knows and no account matches; empty refuses them (env ACADEMY_"+upperSnake(site)+")")
		fs.StringVar(&c[1], role, envOr("ACADEMY_"+upperSnake(role), ""), "role of an account opened at first sign-in through "+p.name+": trainee, trainer, manager or agent (env ACADEMY_"+upperSnake(role)+")")
	}
	return w, nil
}

// upperSnake turns a flag name into the tail of its variable's name.
func upperSnake(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c == '-':
			b[i] = '_'
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// config checks the settings and gives the platforms that are on;
// secret reads a variable of the environment.
func (w *workFlags) config(publicURL string, secret func(string) string) ([]*http.WorkLogin, error) {
	var out []*http.WorkLogin
	add := func(p worklogin.Provider) error {
		key := p.Key()
		i := slices.IndexFunc(workPlatforms, func(wp workPlatform) bool { return wp.key == key })
		if secret(workPlatforms[i].secretVar) == "" {
			return fmt.Errorf("%s is required with --%s (the environment only: flags show in process lists)", workPlatforms[i].secretVar, workPlatforms[i].idFlag)
		}
		if publicURL == "" {
			return fmt.Errorf("--public-url is required with %s sign-in: the platform sends people back to PUBLIC-URL/login/%s/callback", key, key)
		}
		c := w.create[key]
		if err := checkCreate("--"+key, c[0], c[1]); err != nil {
			return err
		}
		out = append(out, &http.WorkLogin{Provider: p, CreateSite: c[0], CreateRole: c[1]})
		return nil
	}
	if w.wecomCorpID != "" {
		if w.wecomAgentID == "" {
			return nil, fmt.Errorf("--wecom-agent-id is required with --wecom-corp-id")
		}
		if err := add(&worklogin.WeCom{CorpID: w.wecomCorpID, AgentID: w.wecomAgentID, Secret: secret("ACADEMY_WECOM_SECRET"), Field: w.wecomField}); err != nil {
			return nil, err
		}
	}
	if w.dingtalkClientID != "" {
		if err := add(&worklogin.DingTalk{ClientID: w.dingtalkClientID, Secret: secret("ACADEMY_DINGTALK_CLIENT_SECRET"), UserIDFallback: w.dingtalkUserID}); err != nil {
			return nil, err
		}
	}
	if w.feishuAppID != "" {
		if err := add(&worklogin.Feishu{AppID: w.feishuAppID, Secret: secret("ACADEMY_FEISHU_APP_SECRET"), UserIDFallback: w.feishuUserID}); err != nil {
			return nil, err
		}
	}
	// Settings of a platform that is off would be silently ignored.
	on := map[string]bool{"wecom": w.wecomCorpID != "", "dingtalk": w.dingtalkClientID != "", "feishu": w.feishuAppID != ""}
	for _, p := range workPlatforms {
		if c := w.create[p.key]; !on[p.key] && (c[0] != "" || c[1] != "") {
			return nil, fmt.Errorf("--%s is required with --%s-create-site and --%s-create-role", p.idFlag, p.key, p.key)
		}
	}
	if !on["wecom"] && (w.wecomAgentID != "" || w.wecomField != "") {
		return nil, fmt.Errorf("--wecom-corp-id is required with the other --wecom- settings")
	}
	return out, nil
}

// checkCreate checks the settings that open accounts at first sign-in.
func checkCreate(prefix, site, role string) error {
	if (site == "") != (role == "") {
		return fmt.Errorf("%s-create-site and %s-create-role go together", prefix, prefix)
	}
	// An administrator made by a provider's say-so alone is too much.
	if role != "" && (!slices.Contains(academy.Roles, role) || role == academy.RoleAdmin) {
		return fmt.Errorf("%s-create-role %q: want one of trainee, trainer, manager, agent", prefix, role)
	}
	return nil
}

// checkCreateSites refuses to start with a creation site that does not
// exist: every first sign-in there would fail.
func checkCreateSites(ctx context.Context, sites academy.SiteService, o *http.OIDC, work []*http.WorkLogin) error {
	check := func(flag, site string) error {
		if site == "" {
			return nil
		}
		if _, err := sites.FindSite(ctx, site); err != nil {
			return fmt.Errorf("%s %q: %v", flag, site, academy.ErrorMessage(err))
		}
		return nil
	}
	if o != nil {
		if err := check("--oidc-create-site", o.CreateSite); err != nil {
			return err
		}
	}
	for _, wl := range work {
		if err := check("--"+wl.Provider.Key()+"-create-site", wl.CreateSite); err != nil {
			return err
		}
	}
	return nil
}
