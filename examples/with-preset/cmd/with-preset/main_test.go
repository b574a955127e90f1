package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// beTheService makes this test binary run main instead of the tests: the signal tests
// need a process of their own to send signals to.
const beTheService = "TEST_MAIN_BE_THE_SERVICE"

func TestMain(m *testing.M) {
	if os.Getenv(beTheService) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// testEnv is the environment of a service under test: a free local port and a short
// shutdown, plus overrides.
func testEnv(overrides map[string]string) func(string) string {
	env := map[string]string{
		"PORT":           "0",
		"ADMIN_PORT":     "0",
		"HOST":           "127.0.0.1",
		"SHUTDOWN_DELAY": "300ms",
		"AUTOMAXPROCS":   "false",
	}
	for k, v := range overrides {
		env[k] = v
	}
	return func(key string) string { return env[key] }
}

// syncBuffer collects output written from several goroutines, and tells waiters when it
// grows: tests wait on what the service says it did, not on the clock.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed at the next write
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return b.buf.Write(p)
}

// next returns the text so far and a channel closed at the next write.
func (b *syncBuffer) next() (string, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed == nil {
		b.changed = make(chan struct{})
	}
	return b.buf.String(), b.changed
}

// hangGuard only ends a test that would otherwise hang: on a loaded machine start-up may
// take seconds, and nothing waits for the guard to pass.
const hangGuard = time.Minute

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type logLine struct {
	Level, Message, Addr string
}

// waitForLog returns the first log line with the message once it is written.
func waitForLog(t *testing.T, out *syncBuffer, message string) logLine {
	t.Helper()
	guard := time.After(hangGuard)
	for {
		text, changed := out.next()
		for line := range strings.Lines(text) {
			var l logLine
			if json.Unmarshal([]byte(line), &l) == nil && l.Message == message {
				return l
			}
		}
		select {
		case <-changed:
		case <-guard:
			t.Fatalf("no %q log line after %s in:\n%s", message, hangGuard, text)
		}
	}
}

// client does not keep connections, which shutdown would wait for.
var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestRunServesAndShutsDownGracefully(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	result := make(chan error, 1)
	go func() {
		result <- run(ctx, []string{"with-preset"}, testEnv(nil), &stdout, &stderr)
	}()
	base := "http://" + waitForLog(t, &stdout, "listening").Addr
	waitForLog(t, &stdout, "ready")

	readyWant := http.StatusOK
	for path, want := range map[string]int{"/healthz": 200, "/ready": readyWant, "/api/v1/hello?name=test": 200, "/nowhere": 404} {
		if got := status(t, base+path); got != want {
			t.Errorf("GET %s = %d, want %d", path, got, want)
		}
	}

	cancel() // what SIGTERM does
	waitForLog(t, &stdout, "shutting down: readiness now fails, serving on until the delay is over")
	if got := status(t, base+"/ready"); got != http.StatusServiceUnavailable {
		t.Errorf("/ready during the shutdown delay = %d, want 503", got)
	}
	if got := status(t, base+"/api/v1/hello"); got != http.StatusOK {
		t.Errorf("/api/v1/hello during the shutdown delay = %d, want 200: traffic still arrives", got)
	}

	select {
	case err := <-result:
		if err != nil || exitCode(err) != 0 {
			t.Errorf("run = %v, want a clean stop", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("run did not return after the shutdown delay")
	}
	if _, err := client.Get(base + "/healthz"); err == nil {
		t.Error("the server still answers after run returned")
	}
	for line := range strings.Lines(stdout.String()) {
		if !json.Valid([]byte(line)) {
			t.Errorf("stdout line is not JSON: %q", line)
		}
	}
	if stderr.String() != "" {
		t.Errorf("stderr = %q, want nothing", stderr.String())
	}
}

func TestRunRejectsBadSettingsWithOneLine(t *testing.T) {
	for _, env := range []map[string]string{
		{"PORT": "abc"},
		{"LOG_LEVEL": "loud"},
		{"SHUTDOWN_TIMEOUT": "soon"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"with-preset"}, testEnv(env), &stdout, &stderr)
		if code := exitCode(err); code != 2 {
			t.Errorf("%v: exit code %d, want 2", env, code)
		}
		for key := range env {
			if lines := strings.Count(stderr.String(), "\n"); lines != 1 || !strings.Contains(stderr.String(), key) {
				t.Errorf("%v: stderr = %q, want one line naming %s", env, stderr.String(), key)
			}
		}
		if stdout.Len() != 0 {
			t.Errorf("%v: stdout = %q, want nothing", env, stdout.String())
		}
	}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{[]string{"version"}, 0, "with-preset dev (commit unknown", ""},
		{[]string{"help"}, 0, "Usage: with-preset", ""},
		{[]string{"--help"}, 0, "healthcheck", ""},
		{[]string{"bogus"}, 2, "", `unknown command "bogus"`},
		{[]string{"version", "extra"}, 2, "", "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"with-preset"}, tt.args...), testEnv(nil), &stdout, &stderr)
			if code := exitCode(err); code != tt.wantCode {
				t.Errorf("exit code %d, want %d (%v)", code, tt.wantCode, err)
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout = %q, want %q in it", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) || strings.Count(stderr.String(), "\n") > 1 {
				t.Errorf("stderr = %q, want one line with %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

func TestHealthcheckCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout syncBuffer
	result := make(chan error, 1)
	env := testEnv(map[string]string{"SHUTDOWN_DELAY": "0s"})
	go func() {
		result <- run(ctx, []string{"with-preset"}, env, &stdout, io.Discard)
	}()
	_, port, _ := net.SplitHostPort(waitForLog(t, &stdout, "listening").Addr)

	env = testEnv(map[string]string{"PORT": port})
	if err := run(context.Background(), []string{"with-preset", "healthcheck"}, env, io.Discard, io.Discard); err != nil {
		t.Errorf("healthcheck of a running service: %v", err)
	}
	cancel()
	if err := <-result; err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"with-preset", "healthcheck"}, env, io.Discard, &stderr)
	if exitCode(err) != 1 || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("healthcheck of a stopped service: exit %d, stderr %q; want 1 and one line", exitCode(err), stderr.String())
	}
}

// startProcess runs this test binary as the service, with real signals.
func startProcess(t *testing.T, env ...string) (cmd *exec.Cmd, logs *syncBuffer, base string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs POSIX signals")
	}
	cmd = exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), beTheService+"=1", "PORT=0", "ADMIN_PORT=0", "HOST=127.0.0.1", "AUTOMAXPROCS=false")
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs = &syncBuffer{}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			_, _ = logs.Write(append(scanner.Bytes(), '\n'))
		}
	}()
	base = "http://" + waitForLog(t, logs, "listening").Addr
	waitForLog(t, logs, "ready")
	return cmd, logs, base
}

// exitWithin waits for the process and returns its exit code.
func exitWithin(t *testing.T, cmd *exec.Cmd, d time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return exitErr.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(d):
		t.Fatalf("no exit within %v", d)
		return -1
	}
}

func TestSIGTERMDrainsAndExitsZero(t *testing.T) {
	cmd, logs, base := startProcess(t, "SHUTDOWN_DELAY=300ms")
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, logs, "shutdown requested")
	if got := status(t, base+"/ready"); got != http.StatusServiceUnavailable {
		t.Errorf("/ready after SIGTERM = %d, want 503", got)
	}
	if code := exitWithin(t, cmd, 5*time.Second); code != 0 {
		t.Errorf("exit code %d, want 0; log:\n%s", code, logs)
	}
	if elapsed := time.Since(start); elapsed < 300*time.Millisecond {
		t.Errorf("exited after %v, before SHUTDOWN_DELAY was over", elapsed)
	}
}

func TestSecondSignalExitsAtOnce(t *testing.T) {
	cmd, logs, _ := startProcess(t, "SHUTDOWN_DELAY=30s")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, logs, "shutting down: readiness now fails, serving on until the delay is over")
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	// The log line first: Wait closes the stdout pipe, maybe before the last line is read.
	if l := waitForLog(t, logs, "second signal: exiting without draining"); l.Level != "warn" {
		t.Errorf("second signal logged at %q", l.Level)
	}
	if code := exitWithin(t, cmd, 2*time.Second); code != 1 {
		t.Errorf("exit code %d, want 1; log:\n%s", code, logs)
	}
}
