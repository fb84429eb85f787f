package main

import (
	"context"
	"errors"
	"testing"
)

func TestFetchUserHonorsCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewUserStore(3).FetchUser(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestUserCountFollowsTheStoreSize(t *testing.T) {
	db := NewUserStore(3)
	if u, err := db.FetchUser(context.Background(), 3); err != nil || u.Email != "user3@example.com" {
		t.Fatalf("user 3: %+v %v", u, err)
	}
	if _, err := db.FetchUser(context.Background(), 4); !errors.Is(err, ErrUserNotFound) {
		t.Fatalf("user 4: got %v, want ErrUserNotFound", err)
	}
}
