package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"github.com/academy/academy/internal/academy"
)

func cmdSite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("site: missing command (add, list; see academy site --help)")
	}
	sub, args := args[0], args[1:]
	var id, name, file, tz string
	var fs *flagSet
	switch sub {
	case "add":
		fs = newFlagSet("academy site add", "Create a site (物业项目), the scope of role grants.", stdout)
		fs.StringVar(&id, "id", "", "site id: lowercase letters, digits and '-'")
		fs.StringVar(&name, "name", "", "display name, e.g. 华苑一期")
		fs.StringVar(&tz, "tz", "", "the site's time zone when not the company's (--tz of serve), e.g. Asia/Urumqi")
	case "list":
		fs = newFlagSet("academy site list", "List sites.", stdout)
	case "directory":
		fs = newFlagSet("academy site directory", "Load a site's units, residents and department members from a YAML or JSON file (replacing what the desk had).", stdout)
		fs.StringVar(&id, "id", "", "site id")
		fs.StringVar(&file, "file", "", "file with units, residents and members")
	case "-h", "--help", "help":
		fmt.Fprint(stdout, "Usage: academy site add --id ID --name NAME [--tz ZONE] | academy site list | academy site directory --id ID --file FILE\n")
		return errFlagHelp
	default:
		return fmt.Errorf("site: unknown command %q (add, list, directory)", sub)
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
	if sub == "directory" {
		return loadDirectory(ctx, st, id, file, stdout)
	}
	if sub == "add" {
		site := &academy.Site{ID: id, Name: name, TZ: tz}
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
	fmt.Fprintln(tw, "ID\tNAME\tTZ")
	for _, s := range sites {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.ID, s.Name, cmp.Or(s.TZ, "-"))
	}
	return tw.Flush()
}

// loadDirectory checks a directory file and stores it for the site's desk.
func loadDirectory(ctx context.Context, st *store, site, file string, stdout io.Writer) error {
	if _, err := st.accounts.Sites.FindSite(ctx, site); err != nil {
		return describe(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("site directory: %v", err)
	}
	var d academy.Directory
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		return fmt.Errorf("site directory: %s: %v", file, err)
	}
	if err := d.Validate(); err != nil {
		return fmt.Errorf("site directory: %s: %s", file, academy.ErrorMessage(err))
	}
	if err := st.desk.Live.SaveDirectory(ctx, site, &d); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "site %s: %d units, %d residents, %d members\n", site, len(d.Units), len(d.Residents), len(d.Members))
	return nil
}
