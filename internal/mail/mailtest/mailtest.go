// Package mailtest runs a real SMTP server for tests, Mailpit, and reads
// back through its API what arrived, as a mail client would see it.
//
// Mailpit is pinned in the mail package's testdata/mailpit, a module of its
// own so that its dependencies (a newer SQLite among them) stay out of the
// application's build. `go tool -n` builds it once into the Go build cache
// and prints the binary's path; later runs reuse it. The first build takes
// a few minutes on a fresh machine.
package mailtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var binary = sync.OnceValues(func() (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	// Tests of any package start Mailpit, each in its own directory: the
	// module is found beside this file's source.
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("build mailpit: cannot locate the mailtest package's source")
	}
	cmd := exec.Command(goCmd, "tool", "-n", "mailpit")
	cmd.Dir = filepath.Join(filepath.Dir(self), "..", "testdata", "mailpit")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("build mailpit: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
})

// Server is one running Mailpit with its SMTP and HTTP ports on loopback.
type Server struct {
	Addr string // the SMTP listener, 127.0.0.1:port
	Port int    // its port
	api  string // http://127.0.0.1:port/api/v1/
}

// Start runs Mailpit, with extra command-line flags (TLS, authentication,
// allowed recipients), until the test ends.
func Start(t testing.TB, flags ...string) *Server {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	smtpPort, httpPort := FreePort(t), FreePort(t)
	args := append([]string{
		"--smtp", fmt.Sprintf("127.0.0.1:%d", smtpPort),
		"--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"),
		"--disable-version-check", "--smtp-disable-rdns", "--quiet",
	}, flags...)
	cmd := exec.Command(bin, args...)
	// Mailpit logs each refusal the tests provoke: show its log only when
	// a test fails.
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("mailpit log:\n%s", log.String())
		}
	})
	s := &Server{Addr: fmt.Sprintf("127.0.0.1:%d", smtpPort), Port: smtpPort, api: fmt.Sprintf("http://127.0.0.1:%d/api/v1/", httpPort)}
	ready := fmt.Sprintf("http://127.0.0.1:%d/readyz", httpPort)
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit not ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The HTTP side may be up a moment before the SMTP listener.
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", s.Addr)
		if err == nil {
			c.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit SMTP not listening: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// FreePort asks the kernel for a loopback port nobody uses right now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Address is a mailbox as Mailpit parsed it: the display name decoded.
type Address struct{ Name, Address string }

// Message is what Mailpit parsed out of one stored message: headers
// decoded from their RFC 2047 words, the text and HTML parts decoded from
// their transfer encoding, and the message as it came over the wire.
type Message struct {
	ID        string
	MessageID string
	From      Address
	To        []Address
	Subject   string
	Date      time.Time
	Text      string
	HTML      string
	Headers   map[string][]string
	Raw       string
}

// Messages returns every message Mailpit holds, oldest first.
func (s *Server) Messages(t testing.TB) []Message {
	t.Helper()
	var list struct {
		Messages []struct{ ID string }
	}
	s.get(t, "messages", &list)
	var out []Message
	for i := len(list.Messages) - 1; i >= 0; i-- {
		id := list.Messages[i].ID
		var m Message
		s.get(t, "message/"+id, &m)
		s.get(t, "message/"+id+"/headers", &m.Headers)
		resp, err := http.Get(s.api + "message/" + id + "/raw")
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		m.Raw = string(raw)
		out = append(out, m)
	}
	return out
}

func (s *Server) get(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(s.api + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}
