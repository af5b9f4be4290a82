package academy

import (
	"context"
	"time"
)

// Audit actions for security events.
const (
	AuditLoginOK        = "login.ok"
	AuditLoginFailed    = "login.failed"
	AuditLogout         = "logout"
	AuditUserCreated    = "user.created"
	AuditRolesChanged   = "user.roles_changed"
	AuditUserDisabled   = "user.disabled"
	AuditUserEnabled    = "user.enabled"
	AuditPasswordReset  = "user.password_reset"
	AuditPasswordOwn    = "user.password_changed"
	AuditPasswordLink   = "user.password_link"
	AuditPasswordByLink = "user.password_set_by_link"
	AuditSiteCreated    = "site.created"
	AuditSiteUpdated    = "site.updated"
	AuditCertIssued     = "cert.issued"
	AuditCertRevoked    = "cert.revoked"
	AuditCertReinstated = "cert.reinstated"
	AuditLegalName      = "user.legal_name"
	AuditUserUpdated    = "user.updated"
	AuditProgramSaved   = "program.saved"
	AuditExtraAttempt   = "quiz.extra_attempt"
	AuditCooldownReset  = "quiz.cooldown_reset"
	AuditDeskRulesSaved = "desk_rules.saved"
	// AuditQualitySettings: the remediation rule of the quality checks.
	AuditQualitySettings = "quality.settings_saved"
)

// AuditActions lists every action, for the log's filter.
var AuditActions = []string{AuditLoginOK, AuditLoginFailed, AuditLogout, AuditUserCreated, AuditRolesChanged,
	AuditUserDisabled, AuditUserEnabled, AuditPasswordReset, AuditPasswordOwn, AuditPasswordLink, AuditPasswordByLink, AuditLegalName, AuditSiteCreated, AuditSiteUpdated,
	AuditCertIssued, AuditCertRevoked, AuditCertReinstated, AuditProgramSaved, AuditExtraAttempt, AuditCooldownReset,
	AuditPhoneRevealed, AuditPhoneSearched, AuditDeskRulesSaved, AuditQualitySettings}

// AuditEvent is one security-relevant event. Detail never holds secrets.
type AuditEvent struct {
	ID     string    `json:"id" bson:"_id"`
	Time   time.Time `json:"time" bson:"time"`
	Actor  string    `json:"actor" bson:"actor"` // username, or "" for anonymous / command line
	Action string    `json:"action" bson:"action"`
	Target string    `json:"target" bson:"target"`
	IP     string    `json:"ip,omitempty" bson:"ip,omitempty"`
	Detail string    `json:"detail,omitempty" bson:"detail,omitempty"`
	// Ticket is the number of the ticket an action at the desk was for.
	Ticket string `json:"ticket,omitempty" bson:"ticket,omitempty"`
}

// AuditFilter selects audit events, newest first.
type AuditFilter struct {
	Action string
	Actor  string
	Target string
	Offset int
	Limit  int
}

// AuditService appends and lists audit events.
type AuditService interface {
	RecordAudit(ctx context.Context, e *AuditEvent) error
	ListAudit(ctx context.Context, f AuditFilter) ([]*AuditEvent, int, error)
}
