package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/academy/academy/internal/academy"
)

func cmdSite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("site: missing command (add, list; see academy site --help)")
	}
	sub, args := args[0], args[1:]
	var id, name string
	var fs *flagSet
	switch sub {
	case "add":
		fs = newFlagSet("academy site add", "Create a site (物业项目), the scope of role grants.", stdout)
		fs.StringVar(&id, "id", "", "site id: lowercase letters, digits and '-'")
		fs.StringVar(&name, "name", "", "display name, e.g. 华苑一期")
	case "list":
		fs = newFlagSet("academy site list", "List sites.", stdout)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, "Usage: academy site add --id ID --name NAME | academy site list\n")
		return errFlagHelp
	default:
		return fmt.Errorf("site: unknown command %q (add, list)", sub)
	}
	cfg, err := commonFlags(fs)
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer st.close()
	if sub == "add" {
		site := &academy.Site{ID: id, Name: name}
		if err := st.accounts.CreateSite(ctx, academy.Actor{}, site); err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "created site %s (%s)\n", site.ID, site.Name)
		return nil
	}
	sites, err := st.accounts.Sites.ListSites(ctx)
	if err != nil {
		return describe(err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME")
	for _, s := range sites {
		fmt.Fprintf(tw, "%s\t%s\n", s.ID, s.Name)
	}
	return tw.Flush()
}
