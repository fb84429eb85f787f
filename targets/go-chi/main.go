// Command go-chi serves GET /users/{userID} and GET /healthz per targets/CONTRACT.md.
package main

import (
	"context"
	"errors"
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

func routes(db *UserStore) http.Handler {
	r := chi.NewRouter()
	r.Get("/users/{userID}", getUser(db))
	r.Get("/healthz", healthz)
	return r
}

func positiveIntEnv(name string, fallback int) (int, error) {
	raw := os.Getenv(name)
	if raw == "" {
		return fallback, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s must be a positive integer, got %q", name, raw)
	}
	return n, nil
}

func main() {
	// go.mod says go 1.24, where the runtime honors the cpuset but not the CFS quota (`--cpus`);
	// automaxprocs sets GOMAXPROCS = floor(quota), and leaves an explicit GOMAXPROCS env alone.
	if _, err := maxprocs.Set(); err != nil {
		log.Printf("automaxprocs: %v (keeping GOMAXPROCS=%d)", err, runtime.GOMAXPROCS(0))
	}
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	users, err := positiveIntEnv("USERS", 10000)
	if err != nil {
		return err
	}
	port, err := positiveIntEnv("PORT", 8000)
	if err != nil {
		return err
	}
	host := os.Getenv("HOST")
	if host == "" {
		host = "0.0.0.0"
	}

	srv := &http.Server{
		Addr:              net.JoinHostPort(host, strconv.Itoa(port)),
		Handler:           routes(NewUserStore(users)),
		ReadHeaderTimeout: 10 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.ListenAndServe() }()
	log.Printf("listening on %s (GOMAXPROCS=%d, users=%d)", srv.Addr, runtime.GOMAXPROCS(0), users)

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
