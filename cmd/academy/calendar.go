package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/academy/academy/internal/calendar"
)

// cmdCalendar checks a working calendar file before an admin uploads it,
// or prints the shipped one to start a new year from.
func cmdCalendar(args []string, stdout io.Writer) error {
	const help = "Check a working calendar file, or print the shipped company calendar.\nUsage: academy calendar check FILE | academy calendar default"
	if len(args) == 0 {
		return fmt.Errorf("calendar: missing command (check FILE, default)")
	}
	fs := newFlagSet("academy calendar "+args[0], help, stdout)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, errFlagHelp) {
			fs.printUsage()
			return err
		}
		return fmt.Errorf("calendar: %v (see academy calendar %s --help)", err, args[0])
	}
	switch args[0] {
	case "default":
		_, err := stdout.Write(calendar.DefaultYAML)
		return err
	case "check":
		if fs.NArg() != 1 {
			return fmt.Errorf("calendar check: give one file, got %d", fs.NArg())
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("calendar check: %w", err)
		}
		defer f.Close()
		src, err := io.ReadAll(io.LimitReader(f, calendar.MaxSize+1))
		if err != nil {
			return fmt.Errorf("calendar check: %w", err)
		}
		c, err := calendar.Parse(src)
		var ps calendar.Problems
		if errors.As(err, &ps) {
			for _, p := range ps {
				fmt.Fprintf(stdout, "%s: %s\n", fs.Arg(0), p)
			}
			return fmt.Errorf("calendar check: %d problem(s) in %s", len(ps), fs.Arg(0))
		} else if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: ok, holidays for %d year(s), the last %d\n", fs.Arg(0), len(c.Years), c.LastYear())
		return nil
	}
	return fmt.Errorf("calendar: unknown command %q (check FILE, default)", args[0])
}
