module github.com/httpbench/targets/go-chi

go 1.24

require (
	github.com/go-chi/chi/v5 v5.5.0
	go.uber.org/automaxprocs v1.6.0
)
