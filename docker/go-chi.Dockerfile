# Go/chi target. Build context: the repo root.
#   docker build -f docker/go-chi.Dockerfile -t httpbench/go-chi .
# GO_IMAGE may be the official golang:1.24-bookworm or the air-gapped stand-in
# httpbench-base/golang:1.24 (scripts/build-bases.sh).
ARG GO_IMAGE=golang:1.24-bookworm

FROM ${GO_IMAGE} AS builder
# Optional module proxy; empty means Go's default.
ARG GOPROXY=
ENV CGO_ENABLED=0 GOTOOLCHAIN=local
WORKDIR /src
COPY docker/extra-ca/ /tmp/extra-ca/
COPY targets/go-chi/go.mod targets/go-chi/go.sum ./
# Dependencies in their own layer so source edits do not re-download. Extra CAs are trusted for
# this RUN only (the bundle stays in the builder stage).
RUN set -eu; \
    if [ -z "${GOPROXY}" ]; then unset GOPROXY; fi; \
    if ls /tmp/extra-ca/*.crt >/dev/null 2>&1; then \
      cat /etc/ssl/certs/ca-certificates.crt /tmp/extra-ca/*.crt > /tmp/ca-bundle.pem; \
      export SSL_CERT_FILE=/tmp/ca-bundle.pem; \
    fi; \
    go mod download
COPY targets/go-chi/ ./
RUN go build -trimpath -ldflags "-s -w" -o /out/server .

# Static binary on scratch: no shell, no libc, no CA bundle (the service makes no outbound TLS calls).
FROM scratch
COPY --from=builder /out/server /server
ENV HOST=0.0.0.0 PORT=8000
USER 65532:65532
EXPOSE 8000
ENTRYPOINT ["/server"]
