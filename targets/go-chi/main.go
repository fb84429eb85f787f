// Command go-chi serves GET /users/{userID} and GET /healthz per targets/CONTRACT.md.
// With -seed it instead (re)creates the users table in DATABASE_URL and exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	"go.uber.org/automaxprocs/maxprocs"
)

// shutdownTimeout stays under `docker stop -t 2`, so in-flight requests finish before SIGKILL.
const shutdownTimeout = 1500 * time.Millisecond

func routes(db Store, extraWork, extraWait time.Duration) http.Handler {
	r := chi.NewRouter()
	r.Get("/users/{userID}", getUser(db, extraWork, extraWait))
	r.Get("/healthz", healthz(db))
	return r
}

func main() {
	// go.mod says go 1.24, where the runtime honors the cpuset but not the CFS quota (`--cpus`);
	// automaxprocs sets GOMAXPROCS = floor(quota), and leaves an explicit GOMAXPROCS env alone.
	if _, err := maxprocs.Set(); err != nil {
		log.Printf("automaxprocs: %v (keeping GOMAXPROCS=%d)", err, runtime.GOMAXPROCS(0))
	}
	seed := flag.Bool("seed", false, "create the users table in DATABASE_URL with USERS users, then exit")
	flag.Parse()
	// Start-up errors are one line on stderr, without the log timestamp, then exit 1.
	log.SetFlags(0)
	var err error
	if *seed {
		err = runSeed()
	} else {
		err = run()
	}
	if err != nil {
		log.Fatal(err)
	}
}

func runSeed() error {
	users, err := positiveIntEnv("USERS", 10000)
	if err != nil {
		return err
	}
	databaseURL := os.Getenv("DATABASE_URL")
	if databaseURL == "" {
		return errors.New("-seed needs DATABASE_URL (e.g. postgresql://user:password@127.0.0.1:5432/httpbench)")
	}
	if err := seedPostgres(context.Background(), databaseURL, users); err != nil {
		return fmt.Errorf("seeding failed: %w", err)
	}
	log.Printf("seeded %d users", users)
	return nil
}

func openStore(c config) (Store, error) {
	if c.store == "postgres" {
		return openPgStore(context.Background(), c.databaseURL, c.poolSize, c.users)
	}
	return NewUserStore(c.users), nil
}

func run() error {
	c, err := loadConfig()
	if err != nil {
		return err
	}
	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()

	srv := &http.Server{
		Addr:              net.JoinHostPort(c.host, strconv.Itoa(c.port)),
		Handler:           routes(db, c.extraWork, c.extraWait),
		ReadHeaderTimeout: 10 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.ListenAndServe() }()
	log.Printf("listening on %s (GOMAXPROCS=%d, users=%d, store=%s, pool=%d, extra work=%s, extra wait=%s)", srv.Addr, runtime.GOMAXPROCS(0), c.users, c.store, c.poolSize, c.extraWork, c.extraWait)

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	return nil
}
