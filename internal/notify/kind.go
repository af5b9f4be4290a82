package notify

import (
	"slices"
	"strings"
	"text/template"

	"github.com/academy/academy/internal/academy"
)

// Kind names one kind of notification.
type Kind string

// The kinds. Producers fill Params with the keys listed beside each kind
// (names, not codes; times as RFC 3339 under keys ending in "_at",
// durations in seconds under keys ending in "_secs").
const (
	KindAssigned       Kind = "assigned"         // title, due_at (optional); people (a count) for a site's group
	KindDueSoon        Kind = "due_soon"         // title, due_at
	KindDueToday       Kind = "due_today"        // title, due_at
	KindOverdue        Kind = "overdue"          // title, due_at
	KindCertExpiring30 Kind = "cert_expiring_30" // title, expires_at
	KindCertExpiring7  Kind = "cert_expiring_7"  // title, expires_at
	KindRefresherDue   Kind = "refresher_due"    // title, due_at
	KindAttemptGranted Kind = "attempt_granted"  // title, by
	KindEscalated      Kind = "escalated"        // ticket, subject, site_name
	KindSLA50          Kind = "sla_50"           // ticket, subject, site_name, clock, due_at
	KindSLA80          Kind = "sla_80"           // ticket, subject, site_name, clock, due_at
	KindSLABreach      Kind = "sla_breach"       // ticket, subject, site_name, clock, due_at
	KindManagerDigest  Kind = "manager_digest"   // overdue_count, expiring_count, escalated_count, items_zh, items_en (the lines in each language)
	KindTrainerDigest  Kind = "trainer_digest"   // flagged_count, waiting_count, items_zh, items_en (the lines in each language)
	KindQualityFlag    Kind = "quality_flag"     // check_zh, check_en, count, weeks, tickets, tickets_en, steps (Chinese), lesson and scenario (titles, optional)
)

// kindInfo is what the app knows about a kind: its names for the
// preference pages, whether it is sent at once (exempt from the daily
// cap), and its subject and text per language.
type kindInfo struct {
	Kind      Kind
	Name      [2]string // zh, en
	Immediate bool
	Subject   [2]*template.Template
	Text      [2]*template.Template
}

// kinds is the one table of kinds, in the order the preference page lists them.
var kinds = []kindInfo{
	kind(KindAssigned, "新的学习任务", "New assignment", true,
		"新的学习任务：{{.title}}", "New assignment: {{.title}}",
		"{{if .people}}新的学习任务“{{.title}}”已指派给 {{.people}} 人。{{if .due_at}}截止 {{.due_at}}。{{end}}{{else}}你有一项新的学习任务“{{.title}}”。{{if .due_at}}请在 {{.due_at}} 前完成。{{end}}{{end}}",
		"{{if .people}}“{{.title}}” has been assigned to {{.people}} people.{{if .due_at}} Due {{.due_at}}.{{end}}{{else}}You have a new assignment, “{{.title}}”.{{if .due_at}} Please finish it by {{.due_at}}.{{end}}{{end}}"),
	kind(KindDueSoon, "任务三天内到期", "Assignment due in 3 days", false,
		"三天内到期：{{.title}}", "Due in 3 days: {{.title}}",
		"学习任务“{{.title}}”将于 {{.due_at}} 到期。", "Your assignment “{{.title}}” is due {{.due_at}}."),
	kind(KindDueToday, "任务今天到期", "Assignment due today", false,
		"今天到期：{{.title}}", "Due today: {{.title}}",
		"学习任务“{{.title}}”今天（{{.due_at}}）到期。", "Your assignment “{{.title}}” is due today ({{.due_at}})."),
	kind(KindOverdue, "任务已逾期", "Assignment overdue", false,
		"已逾期：{{.title}}", "Overdue: {{.title}}",
		"学习任务“{{.title}}”已于 {{.due_at}} 到期，请尽快完成。", "Your assignment “{{.title}}” was due {{.due_at}}; please finish it soon."),
	kind(KindCertExpiring30, "证书 30 天内到期", "Certificate expiring in 30 days", false,
		"证书将在 30 天内到期：{{.title}}", "Certificate expiring in 30 days: {{.title}}",
		"你的证书“{{.title}}”将于 {{.expires_at}} 到期。", "Your certificate “{{.title}}” expires {{.expires_at}}."),
	kind(KindCertExpiring7, "证书 7 天内到期", "Certificate expiring in 7 days", false,
		"证书将在 7 天内到期：{{.title}}", "Certificate expiring in 7 days: {{.title}}",
		"你的证书“{{.title}}”将于 {{.expires_at}} 到期，请尽快复训。", "Your certificate “{{.title}}” expires {{.expires_at}}; please take the refresher soon."),
	kind(KindRefresherDue, "需要复训", "Refresher due", false,
		"需要复训：{{.title}}", "Refresher due: {{.title}}",
		"请在 {{.due_at}} 前完成复训“{{.title}}”。", "Please take the refresher “{{.title}}” by {{.due_at}}."),
	kind(KindAttemptGranted, "获得补考机会", "Extra attempt granted", true,
		"获得补考机会：{{.title}}", "Extra attempt granted: {{.title}}",
		"{{if .by}}{{.by}} {{end}}为你增加了一次“{{.title}}”的作答机会。", "{{if .by}}{{.by}} has{{else}}You have been{{end}} granted {{if .by}}you {{end}}an extra attempt at “{{.title}}”."),
	kind(KindEscalated, "工单升级给我", "Ticket escalated to me", true,
		"工单已升级：{{.ticket}} {{.subject}}", "Ticket escalated: {{.ticket}} {{.subject}}",
		"{{.site_name}} 的工单 {{.ticket}}“{{.subject}}”已升级给你处理。", "Ticket {{.ticket}} “{{.subject}}” at {{.site_name}} has been escalated to you."),
	kind(KindSLA50, "工单时限过半", "Ticket at 50% of its time limit", true,
		"工单时限过半：{{.ticket}}", "Half the time used: ticket {{.ticket}}",
		"{{.site_name}} 的工单 {{.ticket}}“{{.subject}}”"+slaClockZH+"已用去一半，应在 {{.due_at}} 前"+slaDoneZH+"。", "Ticket {{.ticket}} “{{.subject}}” at {{.site_name}} has used half its "+slaClockEN+"; it is due {{.due_at}}."),
	kind(KindSLA80, "工单时限用去八成", "Ticket at 80% of its time limit", true,
		"工单即将超时：{{.ticket}}", "Ticket nearly due: {{.ticket}}",
		"{{.site_name}} 的工单 {{.ticket}}“{{.subject}}”"+slaClockZH+"已用去 80%，应在 {{.due_at}} 前"+slaDoneZH+"。", "Ticket {{.ticket}} “{{.subject}}” at {{.site_name}} has used 80% of its "+slaClockEN+"; it is due {{.due_at}}."),
	kind(KindSLABreach, "工单已超时", "Ticket past its time limit", true,
		"工单已超时：{{.ticket}}", "Ticket overdue: {{.ticket}}",
		"{{.site_name}} 的工单 {{.ticket}}“{{.subject}}”已超过"+slaClockZH+"（{{.due_at}}）。", "Ticket {{.ticket}} “{{.subject}}” at {{.site_name}} is past its "+slaClockEN+" ({{.due_at}})."),
	kind(KindManagerDigest, "经理每日摘要", "Manager's daily digest", false,
		"每日摘要：逾期 {{.overdue_count}} 人，证书将到期 {{.expiring_count}} 张，升级工单 {{.escalated_count}} 张",
		`Daily digest: {{.overdue_count}} overdue, {{.expiring_count}} {{if eq .expiring_count "1"}}certificate{{else}}certificates{{end}} expiring, {{.escalated_count}} escalated {{if eq .escalated_count "1"}}ticket{{else}}tickets{{end}}`,
		"{{.items_zh}}", "{{.items_en}}"),
	kind(KindTrainerDigest, "培训师每周摘要", "Trainer's weekly digest", false,
		"每周摘要：{{.flagged_count}} 道题需复查，{{.waiting_count}} 次演练待点评",
		`Weekly digest: {{.flagged_count}} {{if eq .flagged_count "1"}}question{{else}}questions{{end}} to review, {{.waiting_count}} {{if eq .waiting_count "1"}}run{{else}}runs{{end}} awaiting feedback`,
		"{{.items_zh}}", "{{.items_en}}"),
	kind(KindQualityFlag, "质检未达标，需要复训", "Quality check failed: training assigned", true,
		"质检提醒：{{.check_zh}}", "Quality check: {{.check_en}}",
		"近 {{.weeks}} 周内，你有 {{.count}} 张工单未做到“{{.check_zh}}”（{{if .steps}}{{.steps}}{{else}}{{.tickets}}{{end}}）。"+
			"{{if or .lesson .scenario}}请{{if .lesson}}复习课程“{{.lesson}}”{{end}}{{if and .lesson .scenario}}，并{{end}}{{if .scenario}}完成情景演练“{{.scenario}}”{{end}}，完成后提醒自动解除。{{else}}请与主管一起复盘这些工单。{{end}}",
		"In the last {{.weeks}} weeks, {{.count}} of your tickets missed “{{.check_en}}” ({{.tickets_en}})."+
			"{{if or .lesson .scenario}} Please {{if .lesson}}review the lesson “{{.lesson}}”{{end}}{{if and .lesson .scenario}} and {{end}}{{if .scenario}}pass the scenario “{{.scenario}}”{{end}}; the notice clears when you have.{{else}} Please go through these tickets with your manager.{{end}}"),
}

// The SLA kinds name the clock (Params "clock": first_response or
// resolution) in words.
const (
	slaClockZH = `{{if eq .clock "first_response"}}首次响应时限{{else}}处理时限{{end}}`
	slaDoneZH  = `{{if eq .clock "first_response"}}响应{{else}}解决{{end}}`
	slaClockEN = `{{if eq .clock "first_response"}}first-response time{{else}}resolution time{{end}}`
)

func kind(k Kind, zh, en string, immediate bool, subjZH, subjEN, textZH, textEN string) kindInfo {
	parse := func(name, s string) *template.Template {
		return template.Must(template.New(string(k) + "/" + name).Option("missingkey=zero").Parse(s))
	}
	return kindInfo{Kind: k, Name: [2]string{zh, en}, Immediate: immediate,
		Subject: [2]*template.Template{parse("subject.zh", subjZH), parse("subject.en", subjEN)},
		Text:    [2]*template.Template{parse("text.zh", textZH), parse("text.en", textEN)}}
}

// Kinds lists every kind in display order.
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, k := range kinds {
		out[i] = k.Kind
	}
	return out
}

func infoOf(k Kind) (kindInfo, bool) {
	for _, ki := range kinds {
		if ki.Kind == k {
			return ki, true
		}
	}
	return kindInfo{}, false
}

// Known reports whether k is a kind of the table.
func (k Kind) Known() bool { _, ok := infoOf(k); return ok }

// audiences are the roles that receive a kind, for kinds not sent to
// every learner: the preference page offers a person only the kinds they
// may receive. Ticket SLA kinds go to a ticket's assignee, who works the
// desk, and to the site's managers.
var audiences = map[Kind][]string{
	KindEscalated:     {academy.RoleManager},
	KindSLA50:         {academy.RoleAgent, academy.RoleManager},
	KindSLA80:         {academy.RoleAgent, academy.RoleManager},
	KindSLABreach:     {academy.RoleAgent, academy.RoleManager},
	KindManagerDigest: {academy.RoleManager},
	KindTrainerDigest: {academy.RoleTrainer},
	KindQualityFlag:   {academy.RoleAgent},
}

// For reports whether someone with roles may receive kind k; every kind
// not limited to roles (the learner's reminders) is for everyone.
func (k Kind) For(roles []string) bool {
	want, ok := audiences[k]
	return !ok || slices.ContainsFunc(roles, func(r string) bool { return slices.Contains(want, r) })
}

// Name is the kind's name in lang (Chinese unless lang is English).
func (k Kind) Name(lang string) string {
	ki, ok := infoOf(k)
	if !ok {
		return string(k)
	}
	return ki.Name[langIndex(lang)]
}

// Immediate reports whether the kind is sent at once and so escapes the
// one-per-kind-per-day cap.
func (k Kind) Immediate() bool { ki, _ := infoOf(k); return ki.Immediate }

func langIndex(lang string) int {
	if strings.HasPrefix(lang, academy.LangEN) {
		return 1
	}
	return 0
}
