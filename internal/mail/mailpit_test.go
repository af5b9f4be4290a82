package mail

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests talk to a real SMTP server: Mailpit, pinned in the module under
// testdata/mailpit (its own go.mod, so that its dependencies, a newer SQLite
// among them, stay out of the application's build). `go tool -n` builds it
// once into the Go build cache and prints the binary's path; later runs
// reuse it. The first build takes a few minutes on a fresh machine.
var mailpitBinary = sync.OnceValues(func() (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	cmd := exec.Command(goCmd, "tool", "-n", "mailpit")
	cmd.Dir = filepath.Join("testdata", "mailpit")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("build mailpit: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
})

// mailpit is one running Mailpit with its SMTP and HTTP ports on loopback.
type mailpit struct {
	smtpPort int
	api      string // http://127.0.0.1:port/api/v1/
}

// startMailpit runs Mailpit with extra flags until the test ends.
func startMailpit(t *testing.T, flags ...string) *mailpit {
	t.Helper()
	bin, err := mailpitBinary()
	if err != nil {
		t.Fatal(err)
	}
	smtpPort, httpPort := freePort(t), freePort(t)
	dir := t.TempDir()
	args := append([]string{
		"--smtp", fmt.Sprintf("127.0.0.1:%d", smtpPort),
		"--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(dir, "mailpit.db"),
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
	mp := &mailpit{smtpPort: smtpPort, api: fmt.Sprintf("http://127.0.0.1:%d/api/v1/", httpPort)}
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
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", smtpPort))
		if err == nil {
			c.Close()
			return mp
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit SMTP not listening: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freePort asks the kernel for a loopback port nobody uses right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (mp *mailpit) get(t *testing.T, path string, v any) {
	t.Helper()
	resp, err := http.Get(mp.api + path)
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

// received is what Mailpit parsed out of one stored message.
type received struct {
	ID        string
	MessageID string
	From      struct{ Name, Address string }
	To        []struct{ Name, Address string }
	Subject   string
	Date      time.Time
	Text      string
	HTML      string
	Headers   map[string][]string
	Raw       string
}

// messages returns every message Mailpit holds, oldest first.
func (mp *mailpit) messages(t *testing.T) []received {
	t.Helper()
	var list struct {
		Messages []struct{ ID string }
	}
	mp.get(t, "messages", &list)
	var out []received
	for i := len(list.Messages) - 1; i >= 0; i-- {
		id := list.Messages[i].ID
		var m received
		mp.get(t, "message/"+id, &m)
		mp.get(t, "message/"+id+"/headers", &m.Headers)
		resp, err := http.Get(mp.api + "message/" + id + "/raw")
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

// selfSigned writes a certificate for 127.0.0.1 and localhost with its key
// into dir and returns the paths and a pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mail test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
