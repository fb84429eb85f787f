package main

// The postgres store against a real PostgreSQL: HTTPBENCH_TEST_DATABASE_URL names it.
// scripts/test-targets.sh starts a throwaway cluster (scripts/pg-test-cluster.sh) and sets it.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	// Helper-process mode: the test binary runs the real main(), so start-up failures are tested as the
	// process a user starts (exit status and stderr), not as a function's return value.
	if os.Getenv("HTTPBENCH_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func testDatabaseURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("HTTPBENCH_TEST_DATABASE_URL")
	if u == "" {
		t.Fatal("HTTPBENCH_TEST_DATABASE_URL is not set: run scripts/test-targets.sh go-chi, which starts a throwaway PostgreSQL")
	}
	return u
}

// schemaURL gives the test its own schema (an empty one; the users table is up to the test) and a
// DATABASE_URL whose search_path points at it, so tests never see each other's tables.
func schemaURL(t *testing.T, name string) string {
	t.Helper()
	base := testDatabaseURL(t)
	schema := "go_" + name
	conn, err := pgx.Connect(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), fmt.Sprintf("DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema, schema)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	return base + "?search_path=" + schema
}

func execSQL(t *testing.T, databaseURL, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}

type processResult struct {
	exitCode int
	stdout   string
	stderr   string
}

// runMain runs main() in a child process with env added to this one's (minus the test URL).
func runMain(t *testing.T, args []string, env ...string) processResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "HTTPBENCH_RUN_MAIN=1", "HOST=127.0.0.1", "PORT="+freePort(t))
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%v %v still running after 20 s (stderr %q)", env, args, stderr.String())
	}
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return processResult{code, stdout.String(), stderr.String()}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

func seed(t *testing.T, databaseURL string, users int) {
	t.Helper()
	r := runMain(t, []string{"-seed"}, "DATABASE_URL="+databaseURL, fmt.Sprintf("USERS=%d", users))
	if r.exitCode != 0 {
		t.Fatalf("seed: exit %d, stderr %q", r.exitCode, r.stderr)
	}
}

func fetch(t *testing.T, h http.Handler, path string) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
}

func TestPostgresStoreAnswersByteForByteLikeMemory(t *testing.T) {
	const users = 500
	dbURL := schemaURL(t, "same")
	seed(t, dbURL, users)
	pg, err := openPgStore(context.Background(), dbURL, 2, users)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	memory, postgres := routes(NewUserStore(users), 0, 0), routes(pg, 0, 0)
	for _, path := range []string{"/users/1", "/users/2", "/users/42", "/users/499", "/users/500",
		"/users/501", "/users/0", "/users/-3", "/users/abc", "/users/99999999999999999999", "/healthz"} {
		want, got := fetch(t, memory, path), fetch(t, postgres, path)
		if got != want {
			t.Errorf("GET %s: postgres %q, memory %q", path, got, want)
		}
	}
	if got := fetch(t, postgres, "/users/42"); got != `200 application/json {"id":42,"name":"User 42","email":"user42@example.com"}` {
		t.Errorf("GET /users/42: %q", got)
	}
}

// proxy forwards TCP to the database until Close, which cuts every connection: "the database went away"
// without stopping the shared test cluster.
type proxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln}
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, client, server)
			p.mu.Unlock()
			go io.Copy(server, client)
			go io.Copy(client, server)
		}
	}()
	t.Cleanup(p.Close)
	return p
}

func (p *proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func TestHealthzAndRequestsFollowTheDatabase(t *testing.T) {
	dbURL := schemaURL(t, "health")
	seed(t, dbURL, 10)
	parsed, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, parsed.Host)
	parsed.Host = p.ln.Addr().String()
	pg, err := openPgStore(context.Background(), parsed.String(), 2, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	h := routes(pg, 0, 0)
	if got := fetch(t, h, "/healthz"); got != `200 application/json {"status":"ok"}` {
		t.Fatalf("database up: %q", got)
	}
	p.Close()
	if got := fetch(t, h, "/healthz"); got != `503 application/json {"status":"database unavailable"}` {
		t.Errorf("database down: healthz %q", got)
	}
	if got := fetch(t, h, "/users/1"); got != `503 application/json {"detail":"database unavailable"}` {
		t.Errorf("database down: /users/1 %q", got)
	}
	// Validation does not need the database: a bad id is still 400.
	if got := fetch(t, h, "/users/abc"); !strings.HasPrefix(got, "400 ") {
		t.Errorf("database down: /users/abc %q", got)
	}
}

func TestBadConfigurationExitsAtStartWithOneLine(t *testing.T) {
	base := testDatabaseURL(t)
	parsed, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	password, _ := parsed.User.Password()
	wrongPassword := *parsed
	wrongPassword.User = url.UserPassword(parsed.User.Username(), "not-"+password)
	closedPort := *parsed
	closedPort.Host = "127.0.0.1:" + freePort(t)
	missingDB := *parsed
	missingDB.Path = "/no_such_database"

	emptyTable := schemaURL(t, "empty")
	execSQL(t, emptyTable, "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL)")
	noTable := schemaURL(t, "notable")
	fewer := schemaURL(t, "fewer")
	seed(t, fewer, 5)

	cases := []struct {
		name string
		env  []string
		want string
	}{
		{"postgres without DATABASE_URL", []string{"STORE=postgres", "DATABASE_URL="}, "STORE=postgres needs DATABASE_URL"},
		{"unknown store", []string{"STORE=mysql"}, `STORE must be memory or postgres, got "mysql"`},
		{"pool size 0", []string{"STORE=postgres", "DATABASE_URL=" + base, "DB_POOL_SIZE=0"}, `DB_POOL_SIZE must be a positive integer, got "0"`},
		{"database down", []string{"STORE=postgres", "DATABASE_URL=" + closedPort.String()}, "cannot reach postgres at " + closedPort.Host},
		{"wrong password", []string{"STORE=postgres", "DATABASE_URL=" + wrongPassword.String()}, "refused the credentials"},
		{"missing database", []string{"STORE=postgres", "DATABASE_URL=" + missingDB.String()}, `"no_such_database" does not exist`},
		{"no table", []string{"STORE=postgres", "DATABASE_URL=" + noTable, "USERS=5"}, "has no users table; seed it"},
		{"empty table", []string{"STORE=postgres", "DATABASE_URL=" + emptyTable, "USERS=5"}, "the users table is empty; seed it"},
		{"table and USERS disagree", []string{"STORE=postgres", "DATABASE_URL=" + fewer, "USERS=6"}, "holds 5 users (highest id 5) but USERS=6"},
		{"negative extra work", []string{"EXTRA_WORK_US=-1"}, "EXTRA_WORK_US must be an integer from 0 to 1000000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runMain(t, nil, c.env...)
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if r.exitCode != 1 || len(lines) != 1 || !strings.Contains(lines[0], c.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 and one line containing %q", r.exitCode, r.stderr, c.want)
			}
			if strings.Contains(r.stderr, password) {
				t.Errorf("stderr leaks the password: %q", r.stderr)
			}
		})
	}
}

func TestExtraWorkFromEnv(t *testing.T) {
	for raw, want := range map[string]time.Duration{"": 0, "0": 0, "250": 250 * time.Microsecond, "1000000": time.Second} {
		t.Setenv("EXTRA_WORK_US", raw)
		if got, err := extraWorkFromEnv(); got != want || err != nil {
			t.Errorf("%q: got %v %v, want %v", raw, got, err, want)
		}
	}
	for _, bad := range []string{"-1", "x", "1000001", "1.5"} {
		t.Setenv("EXTRA_WORK_US", bad)
		if _, err := extraWorkFromEnv(); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

// timedUser3 fetches /users/3 once, checks the body is unchanged, and returns the wall time and the
// process CPU it took (what tells a spin from a timer).
func timedUser3(t *testing.T, h http.Handler) (time.Duration, time.Duration) {
	t.Helper()
	cpuBefore, wallBefore := processCPU(t), time.Now()
	if got := fetch(t, h, "/users/3"); got != `200 application/json {"id":3,"name":"User 3","email":"user3@example.com"}` {
		t.Fatalf("body changed: %q", got)
	}
	return time.Since(wallBefore), processCPU(t) - cpuBefore
}

func TestExtraWorkBurnsCPUInTheHandler(t *testing.T) {
	const work = 20 * time.Millisecond
	wall, cpu := timedUser3(t, routes(NewUserStore(10), work, 0))
	if wall < work {
		t.Errorf("request took %v, want ≥ %v", wall, work)
	}
	// A sleep would use almost no CPU; a spin uses CPU for most of it even when the shared machine
	// preempts us, hence the generous quarter.
	if cpu < work/4 {
		t.Errorf("process CPU grew by %v during a %v spin; want ≥ %v (is it sleeping?)", cpu, work, work/4)
	}
	// Off by default: healthz is never slowed, and EXTRA_WORK_US=0 adds nothing measurable.
	start := time.Now()
	fetch(t, routes(NewUserStore(10), 0, 0), "/users/3")
	if time.Since(start) >= time.Second {
		t.Errorf("a request without extra work took %v", time.Since(start))
	}
}

func TestExtraWaitFromEnv(t *testing.T) {
	t.Setenv("EXTRA_WAIT_US", "1500")
	if got, err := microsecondsFromEnv("EXTRA_WAIT_US"); got != 1500*time.Microsecond || err != nil {
		t.Errorf("got %v %v, want 1.5ms", got, err)
	}
	t.Setenv("EXTRA_WAIT_US", "1000001")
	if _, err := microsecondsFromEnv("EXTRA_WAIT_US"); err == nil || !strings.Contains(err.Error(), "EXTRA_WAIT_US") {
		t.Errorf("want an error naming EXTRA_WAIT_US, got %v", err)
	}
}

func TestExtraWaitAddsLatencyWithoutCPU(t *testing.T) {
	const wait = 50 * time.Millisecond
	wall, cpu := timedUser3(t, routes(NewUserStore(10), 0, wait))
	if wall < wait {
		t.Errorf("request took %v, want ≥ %v", wall, wait)
	}
	// A timer, not a spin: the process's CPU grows by far less than the wait.
	if cpu >= wait/2 {
		t.Errorf("process CPU grew by %v during a %v wait; want < %v (is it spinning?)", cpu, wait, wait/2)
	}
}
