// The smallest Go HTTP server the project has, with two jobs:
//   - bench/engine.ts: answers every request with "ok" after an optional delay (?delay_us=N), so a
//     closed-loop generator with C connections runs at ≈ C / delay;
//   - calibration (docker/calibration.Dockerfile): `httpbench run` drives it at every offered rate on
//     the targets' CPUs before the targets, to measure the instrument's own latency floor.
// Go's net/http is cheap per request, so the server adds as little as a real server can.
// Address: 127.0.0.1:<argv[1]>, or HOST and PORT from the environment (as the targets take them).
package main

import (
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	body := []byte("ok")
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if d := r.URL.Query().Get("delay_us"); d != "" {
			if us, err := strconv.Atoi(d); err == nil && us > 0 {
				time.Sleep(time.Duration(us) * time.Microsecond)
			}
		}
		w.Header().Set("Content-Length", "2")
		w.Write(body)
	})
	host, port := os.Getenv("HOST"), os.Getenv("PORT")
	if host == "" {
		host = "127.0.0.1"
	}
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	if port == "" {
		os.Stderr.WriteString("usage: server PORT (or PORT in the environment)\n")
		os.Exit(2)
	}
	if err := http.ListenAndServe(host+":"+port, nil); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}
