# Calibration server: bench/server/main.go (Go net/http answering "ok"), used by `httpbench run` to
# measure the instrument's own latency floor on the targets' CPUs. Build context: the repo root.
#   docker build -f docker/calibration.Dockerfile -t httpbench/calibration .
# GO_IMAGE may be the official golang:1.24-bookworm or the air-gapped stand-in
# httpbench-base/golang:1.24 (scripts/build-bases.sh). No modules to download: standard library only.
ARG GO_IMAGE=golang:1.24-bookworm

FROM ${GO_IMAGE} AS builder
ENV CGO_ENABLED=0 GOTOOLCHAIN=local
WORKDIR /src
COPY bench/server/main.go ./
RUN go build -trimpath -ldflags "-s -w" -o /out/server main.go

FROM scratch
COPY --from=builder /out/server /server
ENV HOST=0.0.0.0 PORT=8000
USER 65532:65532
EXPOSE 8000
ENTRYPOINT ["/server"]
