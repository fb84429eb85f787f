package main

import (
	"context"
	"errors"
	"fmt"
)

// ErrUserNotFound is returned by FetchUser for ids outside 1..count.
var ErrUserNotFound = errors.New("user not found")

// ErrStoreUnavailable wraps a database failure during a request; the handler answers 503 for it.
var ErrStoreUnavailable = errors.New("database unavailable")

// User is serialized in this field order; the FastAPI target uses the same order so bodies are byte-identical.
type User struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// contractUser is the generation rule of targets/CONTRACT.md, the one place the Go target states it:
// the in-memory store and the Postgres seeder both call it.
func contractUser(id int64) User {
	return User{ID: id, Name: fmt.Sprintf("User %d", id), Email: fmt.Sprintf("user%d@example.com", id)}
}

// Store is what the handlers need from a data layer, whichever STORE is chosen.
type Store interface {
	FetchUser(ctx context.Context, id int64) (User, error)
	// Ping reports whether the store can serve requests (for /healthz).
	Ping(ctx context.Context) error
	Close()
}

// UserStore is the in-memory data layer. Users follow the generation rule in targets/CONTRACT.md.
type UserStore struct {
	// Index i holds user i+1: a slice lookup, like a cache hit in a real service.
	users []User
}

func NewUserStore(count int) *UserStore {
	users := make([]User, count)
	for i := range users {
		users[i] = contractUser(int64(i + 1))
	}
	return &UserStore{users: users}
}

// FetchUser takes a context like a real driver call would, so the handler is shaped like production code.
func (s *UserStore) FetchUser(ctx context.Context, id int64) (User, error) {
	if err := ctx.Err(); err != nil {
		return User{}, err
	}
	if id < 1 || id > int64(len(s.users)) {
		return User{}, ErrUserNotFound
	}
	return s.users[id-1], nil
}

// Ping always succeeds: memory cannot become unreachable.
func (s *UserStore) Ping(context.Context) error { return nil }

func (s *UserStore) Close() {}
