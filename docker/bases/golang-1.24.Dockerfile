# Stand-in for golang:1.24-bookworm, built by scripts/build-bases.sh without any container registry:
# Debian's golang-go (1.24 in trixie), git and ca-certificates.
ARG DEBIAN_BASE=httpbench-base/debian:trixie
FROM ${DEBIAN_BASE}
COPY extra-ca.crt /usr/local/share/ca-certificates/httpbench-extra.crt
RUN if [ -s /usr/local/share/ca-certificates/httpbench-extra.crt ]; then update-ca-certificates >/dev/null; \
    else rm /usr/local/share/ca-certificates/httpbench-extra.crt; fi
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go git >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# Same layout as the official golang image: GOPATH=/go, and never download another toolchain.
ENV GOPATH=/go GOTOOLCHAIN=local PATH=/go/bin:/usr/lib/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /go
CMD ["go", "version"]
