package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// bareServerEnv, set in the environment of a child process of this
// program, makes it serve the bare Fiber handler instead of running a
// load. The baseline runs in a process of its own, as the server under
// test does, so that its CPU time can be read apart from the client's.
const bareServerEnv = "ACADEMY_LOAD_BARE_SERVER"

// serveBare is the child's side: it serves "/" and its own process
// metrics on a loopback port, writes the address as the first line of
// out, and stops when in is closed (the parent is done, or died).
func serveBare(in io.Reader, out io.Writer) int {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("Hello, World!") })
	app.Get("/metrics", adaptor.HTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(out, "error:", err)
		return 1
	}
	fmt.Fprintln(out, ln.Addr().String())
	go func() {
		_, _ = io.Copy(io.Discard, in)
		_ = app.ShutdownWithTimeout(5 * time.Second)
	}()
	if err := app.Listener(ln); err != nil {
		return 1
	}
	return 0
}

// bareServer is the running child.
type bareServer struct {
	base  string
	cmd   *exec.Cmd
	stdin io.Closer
}

// startBare starts this program again as the bare Fiber server.
func startBare() (*bareServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), bareServerEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b := &bareServer{cmd: cmd, stdin: stdin}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr := strings.TrimSpace(line)
	if err != nil || strings.HasPrefix(addr, "error:") {
		b.stop()
		return nil, fmt.Errorf("starting the bare Fiber server: %q %v %s", addr, err, stderr.String())
	}
	b.base = "http://" + addr
	return b, nil
}

func (b *bareServer) stop() error {
	b.stdin.Close()
	return b.cmd.Wait()
}

// processCPU reads the process CPU time a server reports at base/metrics
// (process_cpu_seconds_total, as the Prometheus process collector names
// it). token, when set, is sent as the metrics bearer token.
func processCPU(ctx context.Context, hc *http.Client, base, token string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s/metrics answered %d (set ACADEMY_LOAD_METRICS_TOKEN to the server's metrics token, or run on the server's machine)", base, res.StatusCode)
	}
	return parseProcessCPU(res.Body)
}

// parseProcessCPU finds process_cpu_seconds_total in the Prometheus text
// format.
func parseProcessCPU(r io.Reader) (time.Duration, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "process_cpu_seconds_total ")
		if !ok {
			continue
		}
		s, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return 0, fmt.Errorf("process_cpu_seconds_total %q: %v", v, err)
		}
		return time.Duration(s * float64(time.Second)), nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("/metrics has no process_cpu_seconds_total")
}

// cpuMeter reads a server's CPU time before and after a phase.
type cpuMeter struct {
	hc          *http.Client
	base, token string
	start       time.Duration
	err         error
}

func startCPU(ctx context.Context, hc *http.Client, base, token string) *cpuMeter {
	m := &cpuMeter{hc: hc, base: base, token: token}
	m.start, m.err = processCPU(ctx, hc, base, token)
	return m
}

// used returns the CPU time since start.
func (m *cpuMeter) used(ctx context.Context) (time.Duration, error) {
	if m.err != nil {
		return 0, m.err
	}
	end, err := processCPU(ctx, m.hc, m.base, m.token)
	if err != nil {
		return 0, err
	}
	return end - m.start, nil
}
