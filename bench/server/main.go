// A minimal HTTP server for bench/engine.ts: answers every request with "ok" after an optional
// delay (?delay_us=N), so a closed-loop generator with C connections runs at ≈ C / delay.
// Go's net/http is cheap per request, so the server does not dominate the generator's figures.
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
	addr := "127.0.0.1:" + os.Args[1]
	if err := http.ListenAndServe(addr, nil); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}
