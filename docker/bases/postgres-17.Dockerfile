# Stand-in for postgres:17 (the database of `store: postgres` configurations), built by
# scripts/build-bases.sh without any container registry: Debian's postgresql-17 (trixie), its
# binaries on PATH, no cluster. The harness runs `initdb` + `postgres` itself as the `postgres` user
# (src/targets/postgres.ts), as it does with the official image, so no entrypoint script.
ARG DEBIAN_BASE=httpbench-base/debian:trixie
FROM ${DEBIAN_BASE}
COPY extra-ca.crt /usr/local/share/ca-certificates/httpbench-extra.crt
RUN if [ -s /usr/local/share/ca-certificates/httpbench-extra.crt ]; then update-ca-certificates >/dev/null; \
    else rm /usr/local/share/ca-certificates/httpbench-extra.crt; fi
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-17 >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/lib/postgresql/17/main /etc/postgresql/17/main
ENV PATH=/usr/lib/postgresql/17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
USER postgres
CMD ["postgres", "--version"]
