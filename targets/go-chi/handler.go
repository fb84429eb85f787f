package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
)

// healthTimeout bounds /healthz's database round trip, so a hung database answers 503, not a timeout.
const healthTimeout = time.Second

type errorBody struct {
	Detail string `json:"detail"`
}

type statusBody struct {
	Status string `json:"status"`
}

func getUser(db Store, extraWork, extraWait time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(chi.URLParam(r, "userID"), 10, 64)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody{"user id must be an integer"})
			return
		}
		if extraWork > 0 {
			spin(extraWork)
		}
		if extraWait > 0 {
			wait(r.Context(), extraWait)
		}
		user, err := db.FetchUser(r.Context(), id)
		if errors.Is(err, ErrUserNotFound) {
			writeJSON(w, http.StatusNotFound, errorBody{"user not found"})
			return
		}
		if errors.Is(err, ErrStoreUnavailable) {
			// The driver's text stays out of the body: it can name hosts and users.
			writeJSON(w, http.StatusServiceUnavailable, errorBody{"database unavailable"})
			return
		}
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, errorBody{err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, user)
	}
}

// spin burns CPU for d on the monotonic clock (EXTRA_WORK_US, test-only): a sleep would free the CPU
// and not model slower code.
func spin(d time.Duration) {
	start := time.Now()
	for time.Since(start) < d {
	}
}

// wait parks the request for d on a timer (EXTRA_WAIT_US, test-only): latency without CPU, the kind of
// regression (a slower downstream call) that spin cannot model. A client that goes away ends it early.
func wait(ctx context.Context, d time.Duration) {
	t := preciseTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func healthz(db Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, statusBody{"database unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, statusBody{"ok"})
	}
}

// writeJSON marshals before writing (not json.Encoder) so there is no trailing newline, like FastAPI.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}
