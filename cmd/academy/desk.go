package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/deskrules"
)

// cmdDesk exports and imports desk rules: the company's, or with --site a
// site's own.
func cmdDesk(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("desk: missing command (export, import; see academy desk --help)")
	}
	sub, args := args[0], args[1:]
	var site, file, by string
	var fs *flagSet
	switch sub {
	case "export":
		fs = newFlagSet("academy desk export", "Write the desk rules in force (departments, procedures, SLA) as YAML, to --file or standard output.", stdout)
	case "import":
		fs = newFlagSet("academy desk import", "Check a desk-rules YAML file and save it as the new revision (nothing is saved if it has problems).", stdout)
		fs.StringVar(&by, "by", "", "username recorded as the author of the revision")
	case "-h", "--help", "help":
		fmt.Fprint(stdout, "Usage: academy desk export [--site ID] [--file FILE] | academy desk import --file FILE --by USERNAME [--site ID]\n")
		return errFlagHelp
	default:
		return fmt.Errorf("desk: unknown command %q (export, import)", sub)
	}
	fs.StringVar(&site, "site", "", "a site's own rules instead of the company's")
	fs.StringVar(&file, "file", "", "the YAML file")
	cfg, err := commonFlags(fs)
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub == "import" && (file == "" || by == "") {
		return errors.New("desk import: --file and --by are required")
	}
	st, err := openStore(ctx, cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer st.close()
	if err := st.deskRules.CheckScope(ctx, site); err != nil {
		return describe(err)
	}
	if sub == "export" {
		cur, err := st.deskRules.Current(ctx, site)
		if err != nil {
			return describe(err)
		}
		if file == "" {
			_, err = io.WriteString(stdout, cur.YAML)
			return err
		}
		return os.WriteFile(file, []byte(cur.YAML), 0o644)
	}
	if _, err := st.accounts.Users.FindUser(ctx, by); err != nil {
		return fmt.Errorf("desk import: --by %s: %s", by, academy.ErrorMessage(err))
	}
	text, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("desk import: %v", err)
	}
	base, _, err := st.deskRules.Store.Head(ctx, site)
	if err != nil {
		return describe(err)
	}
	rev, err := st.deskRules.Save(ctx, site, base, string(text), by)
	var problems deskrules.Problems
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Fprintf(stdout, "%s: %s\n", file, p)
		}
		return fmt.Errorf("desk import: %d problem(s); nothing saved", len(problems))
	}
	if err != nil {
		return describe(err)
	}
	if site != "" {
		fmt.Fprintf(stdout, "saved desk rules revision %d for site %s\n", rev.Seq, site)
	} else {
		fmt.Fprintf(stdout, "saved desk rules revision %d\n", rev.Seq)
	}
	return nil
}
