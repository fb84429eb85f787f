package main

import (
	"context"
	"errors"
	"fmt"
)

// ErrUserNotFound is returned by FetchUser for ids outside 1..count.
var ErrUserNotFound = errors.New("user not found")

// User is serialized in this field order; the FastAPI target uses the same order so bodies are byte-identical.
type User struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// UserStore is the in-memory data layer. Users follow the generation rule in targets/CONTRACT.md.
type UserStore struct {
	// Index i holds user i+1: a slice lookup, like a cache hit in a real service.
	users []User
}

func NewUserStore(count int) *UserStore {
	users := make([]User, count)
	for i := range users {
		id := int64(i + 1)
		users[i] = User{ID: id, Name: fmt.Sprintf("User %d", id), Email: fmt.Sprintf("user%d@example.com", id)}
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
