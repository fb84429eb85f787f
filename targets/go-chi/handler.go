package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
)

type errorBody struct {
	Detail string `json:"detail"`
}

func getUser(db *UserStore) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(chi.URLParam(r, "userID"), 10, 64)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody{"user id must be an integer"})
			return
		}
		user, err := db.FetchUser(r.Context(), id)
		if errors.Is(err, ErrUserNotFound) {
			writeJSON(w, http.StatusNotFound, errorBody{"user not found"})
			return
		}
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, errorBody{err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, user)
	}
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
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
