package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func get(t *testing.T, path string) (int, string, string) {
	t.Helper()
	srv := httptest.NewServer(routes(NewUserStore(10000), 0, 0))
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
	return res.StatusCode, res.Header.Get("Content-Type"), string(body)
}

func TestContract(t *testing.T) {
	cases := []struct {
		path   string
		status int
		body   string
	}{
		{"/users/42", 200, `{"id":42,"name":"User 42","email":"user42@example.com"}`},
		{"/users/1", 200, `{"id":1,"name":"User 1","email":"user1@example.com"}`},
		{"/users/10000", 200, `{"id":10000,"name":"User 10000","email":"user10000@example.com"}`},
		{"/users/10001", 404, `{"detail":"user not found"}`},
		{"/users/0", 404, `{"detail":"user not found"}`},
		{"/users/-3", 404, `{"detail":"user not found"}`},
		{"/users/abc", 400, `{"detail":"user id must be an integer"}`},
		{"/users/99999999999999999999", 400, `{"detail":"user id must be an integer"}`},
		{"/healthz", 200, `{"status":"ok"}`},
	}
	for _, c := range cases {
		status, contentType, body := get(t, c.path)
		if status != c.status || body != c.body || contentType != "application/json" {
			t.Errorf("GET %s = %d %q %q; want %d %q application/json", c.path, status, contentType, body, c.status, c.body)
		}
	}
}

func TestPositiveIntEnv(t *testing.T) {
	t.Setenv("HB_TEST", "")
	if n, err := positiveIntEnv("HB_TEST", 7); n != 7 || err != nil {
		t.Errorf("empty: got %d %v", n, err)
	}
	t.Setenv("HB_TEST", "12")
	if n, err := positiveIntEnv("HB_TEST", 7); n != 12 || err != nil {
		t.Errorf("12: got %d %v", n, err)
	}
	for _, bad := range []string{"0", "-1", "x"} {
		t.Setenv("HB_TEST", bad)
		if _, err := positiveIntEnv("HB_TEST", 7); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}
