# Node.js/Fastify target. Build context: the repo root.
#   docker build -f docker/fastify.Dockerfile -t httpbench/fastify .
# NODE_IMAGE may be the official node:20-bookworm-slim or the air-gapped stand-in
# httpbench-base/node:20 (scripts/build-bases.sh: Debian's nodejs and npm); both provide node and npm.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS builder
# Optional mirror; empty means the npm registry.
ARG NPM_REGISTRY=
WORKDIR /srv
COPY docker/extra-ca/ /tmp/extra-ca/
COPY targets/fastify/package.json targets/fastify/package-lock.json ./
# Dependencies in their own layer so source edits do not re-download. Extra CAs are trusted for this
# RUN only: the bundle stays in /tmp of the builder stage, which the final image never copies.
RUN set -eu; \
    if [ -n "${NPM_REGISTRY}" ]; then export npm_config_registry="${NPM_REGISTRY}"; fi; \
    if ls /tmp/extra-ca/*.crt >/dev/null 2>&1; then \
      cat /etc/ssl/certs/ca-certificates.crt /tmp/extra-ca/*.crt > /tmp/ca-bundle.pem; \
      export npm_config_cafile=/tmp/ca-bundle.pem; \
    fi; \
    npm ci --omit=dev --no-audit --no-fund --loglevel=error; \
    rm -rf /root/.npm
COPY targets/fastify/src ./src

FROM ${NODE_IMAGE}
WORKDIR /srv
COPY --from=builder /srv/node_modules ./node_modules
COPY --from=builder /srv/package.json ./package.json
COPY --from=builder /srv/src ./src
ENV HOST=0.0.0.0 PORT=8000
# Numeric so Kubernetes-style runAsNonRoot checks work without a passwd entry. Node writes nothing at
# run time, so the read-only root filesystem needs no tmpfs.
USER 10001:10001
EXPOSE 8000
CMD ["node", "src/server.js"]
