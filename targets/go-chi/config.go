package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// config is everything the process reads from the environment (targets/CONTRACT.md lists it).
type config struct {
	host  string
	port  int
	users int
	// store is "memory" (default) or "postgres".
	store       string
	databaseURL string
	// poolSize is the number of pooled connections (pgxpool MinConns = MaxConns).
	poolSize int
	// extraWork is the test-only CPU busy-work per /users request (EXTRA_WORK_US); 0 = off.
	extraWork time.Duration
	// extraWait is the test-only wait per /users request that burns no CPU (EXTRA_WAIT_US); 0 = off.
	extraWait time.Duration
}

// defaultPoolSize matches the FastAPI target's per-worker default.
const defaultPoolSize = 10

// maxExtraWorkUs bounds the regression knob to one second per request, so a typo cannot wedge a run.
const maxExtraWorkUs = 1_000_000

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

func extraWorkFromEnv() (time.Duration, error) {
	return microsecondsFromEnv("EXTRA_WORK_US")
}

// microsecondsFromEnv reads one of the regression knobs (EXTRA_WORK_US, EXTRA_WAIT_US), bounded the same way.
func microsecondsFromEnv(name string) (time.Duration, error) {
	raw := os.Getenv(name)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > maxExtraWorkUs {
		return 0, fmt.Errorf("%s must be an integer from 0 to %d (microseconds), got %q", name, maxExtraWorkUs, raw)
	}
	return time.Duration(n) * time.Microsecond, nil
}

// loadConfig reads and checks the environment; its errors are one line that names the variable to fix.
func loadConfig() (config, error) {
	c := config{host: os.Getenv("HOST"), store: os.Getenv("STORE"), databaseURL: os.Getenv("DATABASE_URL")}
	if c.host == "" {
		c.host = "0.0.0.0"
	}
	var err error
	if c.users, err = positiveIntEnv("USERS", 10000); err != nil {
		return c, err
	}
	if c.port, err = positiveIntEnv("PORT", 8000); err != nil {
		return c, err
	}
	if c.extraWork, err = extraWorkFromEnv(); err != nil {
		return c, err
	}
	if c.extraWait, err = microsecondsFromEnv("EXTRA_WAIT_US"); err != nil {
		return c, err
	}
	switch c.store {
	case "", "memory":
		c.store = "memory"
	case "postgres":
		if c.databaseURL == "" {
			return c, errors.New("STORE=postgres needs DATABASE_URL (e.g. postgresql://user:password@127.0.0.1:5432/httpbench)")
		}
		if c.poolSize, err = positiveIntEnv("DB_POOL_SIZE", defaultPoolSize); err != nil {
			return c, err
		}
	default:
		return c, fmt.Errorf("STORE must be memory or postgres, got %q", c.store)
	}
	return c, nil
}
