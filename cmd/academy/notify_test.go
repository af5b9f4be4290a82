package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/academy/academy/internal/robot/robottest"
)

// A notification survives a SIGKILL between the change that made it and
// its send, and arrives once: the change (an assignment to a site's
// trainees) and the message are stored by the request; the server is
// killed as soon as it answers; after a restart on the same data the
// site's 企业微信 robot (the stand-in, which checks the message's shape)
// gets the message, and only once.
func TestSIGKILLNotificationArrivesOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it")
	}
	robot := robottest.NewWeCom(t)

	bin := buildBinary(t)
	data := t.TempDir()
	args := []string{"--demo", "--data", data, "--content", "../.."}
	p := startAcademy(t, bin, args...)
	m := regexp.MustCompile(`admin\s+username admin\s+password (\S+)`).FindStringSubmatch(p.stdout.String())
	if m == nil {
		t.Fatalf("demo admin password not printed:\n%s", p.stdout)
	}
	admin := apiLogin(t, p.base, "admin", m[1])
	mustCall(t, p.base, "PUT", "/api/v1/sites/demo/robot", admin, 200,
		map[string]any{"robot": "wecom", "url": robot.URL, "kinds": []string{"assigned"}}, nil)
	mustCall(t, p.base, "POST", "/api/v1/assignments", admin, 201,
		map[string]any{"kind": "course", "ref": "ethics", "target": map[string]any{"role": "trainee", "site": "demo"}, "due": map[string]any{"date": "2031-05-20"}}, nil)
	p.kill()
	t.Logf("killed with %d robot posts received", len(robot.Posts()))

	p = startAcademy(t, bin, args...)
	deadline := time.Now().Add(30 * time.Second)
	for len(robot.Posts()) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	// A few more relay rounds, to see a second send if there were one.
	time.Sleep(11 * time.Second)
	got := robot.Posts()
	if len(got) != 1 {
		t.Fatalf("the robot got %d posts, want 1: %+v\nstderr:\n%s", len(got), got, tail(p.stderr.String(), 3000))
	}
	if !strings.Contains(got[0].Text, "2031-05-20 23:59") {
		t.Fatalf("post %q, want the due time in the site's zone", got[0].Text)
	}
	p.stop(t)
}
