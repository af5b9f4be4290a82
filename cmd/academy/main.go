// Command academy runs the training platform and administers it from the
// command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	// The zone database travels with the binary: a server without
	// tzdata still shows Beijing time.
	_ "time/tzdata"
)

// errFlagHelp reports that --help was answered: exit 0.
var errFlagHelp = flag.ErrHelp

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `academy — 物业客服学院 training and certification platform

Usage:
  academy serve   [flags]         run the web server
  academy user    <command> [flags]  manage accounts (add, list, set-roles, disable, enable, reset-password)
  academy site    <command> [flags]  manage sites (add, list)
  academy desk    <command> [flags]  export or import the desk rules (procedures, SLA, departments)
  academy lint    [DIR]           check the content files (courses/, desk/) without writing anything
  academy calendar check FILE     check a working calendar file (calendar default prints the shipped one)
  academy import  [flags]         load the content files into the database
  academy export  --course SLUG   write a course back into files
  academy import-gift FILE --quiz SLUG   convert a Moodle GIFT file into a quiz bank file
  academy version                 print the version

Run "academy <command> --help" for the flags of a command.
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run returns the exit status; errors are printed as one line.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = cmdServe(ctx, args[1:], stdout, stderr)
	case "user":
		err = cmdUser(ctx, args[1:], stdin, stdout, stderr)
	case "site":
		err = cmdSite(ctx, args[1:], stdout, stderr)
	case "lint":
		err = cmdLint(args[1:], stdout, stderr)
	case "calendar":
		err = cmdCalendar(args[1:], stdout)
	case "desk":
		err = cmdDesk(ctx, args[1:], stdout, stderr)
	case "import":
		err = cmdImport(ctx, args[1:], stdout, stderr)
	case "export":
		err = cmdExport(ctx, args[1:], stdout, stderr)
	case "import-gift":
		err = cmdImportGIFT(args[1:], stdout)
	case "version":
		fmt.Fprintf(stdout, "academy %s\n", version)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
	default:
		err = fmt.Errorf("unknown command %q (commands: serve, user, site, desk, lint, calendar, import, export, import-gift, version)", args[0])
	}
	if errors.Is(err, errFlagHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "academy: %s\n", oneLine(err.Error()))
		return 1
	}
	return 0
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
