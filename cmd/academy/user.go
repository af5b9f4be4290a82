package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/roster"
)

const userUsage = `Usage: academy user <command> [flags]

Commands:
  create          create an account (--username, --roles, --sites, --password-stdin,
                  and the people record: --employee-no, --phone, --hire-date ...);
                  "add" is the same command
  update          change an account's people record, roles or sites: only the
                  flags given change, and an empty value clears a field
  list            list accounts (--site, --role)
  set-roles       replace an account's roles and sites
  disable         disable an account and end its sessions
  enable          enable a disabled account
  reset-password  set a new password read from standard input
  import FILE     import a roster (CSV or XLSX, see docs/roster.md): prints the
                  plan; --apply writes it, --sync makes it the source of truth:
                  disables the people it leaves out, enables the disabled it lists

Run "academy user <command> --help" for its flags. These commands open the
database directly: with the embedded database, stop the server first.
`

var userSummary = map[string]string{
	"create":         "Create an account. The password is read from standard input.",
	"add":            "Create an account (the same as create). The password is read from standard input.",
	"update":         "Change an account: only the flags given change; an empty value (--phone \"\") clears a field.",
	"list":           "List accounts.",
	"set-roles":      "Replace an account's roles and sites.",
	"disable":        "Disable an account and end its sessions.",
	"enable":         "Enable a disabled account.",
	"reset-password": "Set a new password, read from standard input, and end the account's sessions.",
	"import":         "Import a roster: academy user import FILE [--sync] [--apply]. Without --apply, only print the plan.",
}

func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("user: missing command (create, update, list, set-roles, disable, enable, reset-password; see academy user --help)")
	}
	sub, args := args[0], args[1:]
	if sub == "-h" || sub == "--help" || sub == "help" {
		fmt.Fprint(stdout, userUsage)
		return errFlagHelp
	}
	fs := newFlagSet("academy user "+sub, userSummary[sub], stdout)
	cfg, err := commonFlags(fs)
	if err != nil {
		return err
	}
	var username, roles, sites, role, site string
	var pwStdin bool
	need := func(names ...string) {
		for _, n := range names {
			switch n {
			case "username":
				fs.StringVar(&username, "username", "", "account username")
			case "roles":
				fs.StringVar(&roles, "roles", "", "comma-separated roles: "+strings.Join(academy.Roles, ","))
			case "sites":
				fs.StringVar(&sites, "sites", "", "comma-separated site ids the roles apply to")
			case "password-stdin":
				fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from the first line of standard input")
			}
		}
	}
	var do func(st *store) error
	actor := academy.Actor{}
	// import takes its file first: academy user import FILE [flags].
	var file string
	if sub == "import" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	switch sub {
	case "import":
		var sync, apply bool
		var base string
		fs.BoolVar(&sync, "sync", false, "the file is the source of truth: disable the active people on its sites (all people with an employee number when it names no site) whom it leaves out, and enable the disabled people it lists whose leave date is empty or ahead")
		fs.BoolVar(&apply, "apply", false, "write the plan; without it nothing changes")
		fs.StringVar(&base, "url", "", "the server's address, put before the set-password links printed (e.g. https://academy.example.com)")
		do = func(st *store) error {
			if file == "" {
				return errors.New("academy user import: missing FILE (academy user import FILE [--sync] [--apply])")
			}
			return importRoster(ctx, st, file, roster.Options{Sync: sync, Actor: actor}, apply, strings.TrimRight(base, "/"), stdout)
		}
	case "create", "add":
		need("username", "roles", "sites", "password-stdin")
		var p personFlags
		p.register(fs.FlagSet, "zh")
		do = func(st *store) error {
			pw, err := readPassword(stdin, pwStdin)
			if err != nil {
				return err
			}
			u := &academy.User{Username: username, DisplayName: p.displayName, LegalName: p.legalName, EmployeeNo: p.employeeNo,
				Phone: p.phone, Email: p.email, Department: p.department, Position: p.position,
				HireDate: academy.Date(p.hireDate), LeaveDate: academy.Date(p.leaveDate),
				Roles: academy.SplitList(roles), Sites: academy.SplitList(sites), Lang: p.lang}
			if err := st.accounts.CreateUser(ctx, actor, u, pw); err != nil {
				return describe(err)
			}
			fmt.Fprintf(stdout, "created %s (%s on %s)\n", u.ID, strings.Join(u.Roles, ","), orAll(u.Sites))
			return nil
		}
	case "update":
		need("username", "roles", "sites")
		var p personFlags
		p.register(fs.FlagSet, "")
		do = func(st *store) error {
			given := map[string]bool{}
			fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
			value := func(name, v string) *string {
				if !given[name] {
					return nil
				}
				return &v
			}
			list := func(name, v string) []string {
				if !given[name] {
					return nil
				}
				// Given empty, the list is emptied, not kept.
				return append([]string{}, academy.SplitList(v)...)
			}
			ch := academy.UserChange{Roles: list("roles", roles), Sites: list("sites", sites),
				DisplayName: value("display-name", p.displayName), LegalName: value("legal-name", p.legalName),
				EmployeeNo: value("employee-no", p.employeeNo), Phone: value("phone", p.phone), Email: value("email", p.email),
				Department: value("department", p.department), Position: value("position", p.position),
				HireDate: value("hire-date", p.hireDate), LeaveDate: value("leave-date", p.leaveDate), Lang: value("lang", p.lang)}
			u, err := st.accounts.ChangeUser(ctx, actor, username, ch)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(stdout, "updated %s (%s)\n", u.ID, u.Status)
			return nil
		}
	case "list":
		fs.StringVar(&site, "site", "", "only accounts on this site")
		fs.StringVar(&role, "role", "", "only accounts with this role")
		do = func(st *store) error {
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "USERNAME\tNAME\tROLES\tSITES\tSTATUS\tEMPLOYEE_NO\tDEPARTMENT")
			for off := 0; ; off += academy.MaxPageSize {
				users, total, err := st.accounts.Users.ListUsers(ctx, academy.UserFilter{Site: site, Role: role, Offset: off, Limit: academy.MaxPageSize})
				if err != nil {
					return describe(err)
				}
				for _, u := range users {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, u.DisplayName, strings.Join(u.Roles, ","), orAll(u.Sites), u.Status, u.EmployeeNo, u.Department)
				}
				if off+academy.MaxPageSize >= total {
					break
				}
			}
			return tw.Flush()
		}
	case "set-roles":
		need("username", "roles", "sites")
		do = func(st *store) error {
			u, err := st.accounts.SetRoles(ctx, actor, username, academy.SplitList(roles), academy.SplitList(sites))
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(stdout, "%s now has %s on %s\n", u.ID, strings.Join(u.Roles, ","), orAll(u.Sites))
			return nil
		}
	case "disable", "enable":
		need("username")
		status := map[string]string{"disable": academy.StatusDisabled, "enable": academy.StatusActive}[sub]
		do = func(st *store) error {
			u, err := st.accounts.SetStatus(ctx, actor, username, status)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(stdout, "%s is %s\n", u.ID, u.Status)
			return nil
		}
	case "reset-password":
		need("username", "password-stdin")
		do = func(st *store) error {
			pw, err := readPassword(stdin, pwStdin)
			if err != nil {
				return err
			}
			if err := st.accounts.ResetPassword(ctx, actor, username, pw); err != nil {
				return describe(err)
			}
			fmt.Fprintf(stdout, "password of %s reset; their sessions have ended\n", academy.UserID(username))
			return nil
		}
	default:
		return fmt.Errorf("user: unknown command %q (create, update, list, set-roles, disable, enable, reset-password, import)", sub)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.Lookup("username") != nil && strings.TrimSpace(username) == "" {
		return fmt.Errorf("%s: --username is required", fs.Name())
	}
	// Keep the embedded database's own logging quiet on the command line.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer st.close()
	return do(st)
}

// personFlags are the people-record flags of create and update.
type personFlags struct {
	displayName, legalName, employeeNo, phone, email, department, position, hireDate, leaveDate, lang string
}

// register defines the flags; lang is the language's default ("" on
// update, where an absent flag changes nothing).
func (p *personFlags) register(fs *flag.FlagSet, lang string) {
	fs.StringVar(&p.displayName, "display-name", "", "name shown in the UI (default: the username)")
	fs.StringVar(&p.legalName, "legal-name", "", "legal name (实名) printed on certificates, at most 64 characters")
	fs.StringVar(&p.employeeNo, "employee-no", "", "employee number (工号), unique; letters, digits and . _ / -, at most 32")
	fs.StringVar(&p.phone, "phone", "", "mainland mobile (13812345678) or landline (010-62345678)")
	fs.StringVar(&p.email, "email", "", "e-mail address")
	fs.StringVar(&p.department, "department", "", "department, at most 64 characters")
	fs.StringVar(&p.position, "position", "", "position, at most 64 characters")
	fs.StringVar(&p.hireDate, "hire-date", "", "hire date YYYY-MM-DD; starts the 30-day onboarding clock")
	fs.StringVar(&p.leaveDate, "leave-date", "", "leave date YYYY-MM-DD; from that day the account cannot sign in")
	fs.StringVar(&p.lang, "lang", lang, "UI language: zh or en")
}

// readPassword reads one line from stdin. Passwords never come from flags,
// which would leave them in shell history and the process list.
func readPassword(stdin io.Reader, enabled bool) (string, error) {
	if !enabled {
		return "", errors.New("--password-stdin is required (passwords are not accepted as flags)")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %v", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("--password-stdin: standard input is empty")
	}
	return pw, nil
}

// describe turns a domain error into its message.
func describe(err error) error {
	if code := academy.ErrorCode(err); code != academy.EINTERNAL {
		return errors.New(academy.ErrorMessage(err))
	}
	return err
}

func orAll(sites []string) string {
	if len(sites) == 0 {
		return "all sites"
	}
	return strings.Join(sites, ",")
}

// importRoster prints the plan of a roster file as a table and, with
// apply, writes it and prints the set-password links of new accounts.
func importRoster(ctx context.Context, st *store, file string, opt roster.Options, apply bool, base string, stdout io.Writer) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	f, err := roster.Read(data)
	if err != nil {
		return describe(err)
	}
	r := &roster.Roster{Accounts: st.accounts}
	do := r.Plan
	if apply {
		do = r.Apply
	}
	p, applyErr := do(ctx, f, opt)
	if p == nil {
		return describe(applyErr)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ROW\tACTION\tUSERNAME\tEMPLOYEE_NO\tNAME\tDETAIL")
	for _, it := range p.Items {
		var detail []string
		for _, d := range it.Changes {
			detail = append(detail, fmt.Sprintf("%s: %q → %q", d.Field, d.Old, d.New))
		}
		for _, pr := range it.Problems {
			detail = append(detail, pr.Column+": "+pr.Message)
		}
		detail = append(detail, it.Notes...)
		row := "-"
		if it.Line > 0 {
			row = strconv.Itoa(it.Line)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", row, it.Action, it.Username, it.EmployeeNo, it.Name, strings.Join(detail, "; "))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	var counts []string
	for _, a := range []string{roster.Create, roster.Change, roster.Unchanged, roster.Disable, roster.Refused} {
		counts = append(counts, fmt.Sprintf("%s %d", a, p.Counts[a]))
	}
	fmt.Fprintln(stdout, strings.Join(counts, ", "))
	if applyErr != nil {
		return describe(applyErr)
	}
	if !apply {
		fmt.Fprintln(stdout, "dry run: nothing was written; run again with --apply to write")
		return nil
	}
	for _, it := range p.Items {
		if it.Link != "" {
			fmt.Fprintf(stdout, "set-password link for %s (%s), valid 7 days, once: %s/set-password/%s\n", it.Username, it.Name, base, it.Link)
		}
	}
	return nil
}
