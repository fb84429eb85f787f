# The generator agent (README "Several load machines"): this repository's own load engine behind a
# small HTTP endpoint (src/cli/generator-agent.ts), one per load machine. Build context: the repo root.
#   docker build -f docker/generator.Dockerfile -t httpbench/generator .
# NODE_IMAGE may be the official node:20-bookworm-slim or the air-gapped stand-in httpbench-base/node:20
# (scripts/build-bases.sh); both provide node and npm, and Debian's util-linux (taskset, for --cpus).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS builder
# Optional mirror; empty means the npm registry.
ARG NPM_REGISTRY=
WORKDIR /srv
COPY docker/extra-ca/ /tmp/extra-ca/
COPY package.json package-lock.json ./
# Runtime dependencies only (tsx runs the TypeScript sources, as bin/httpbench.js does). Extra CAs are
# trusted for this RUN only: the bundle stays in the builder stage.
RUN set -eu; \
    if [ -n "${NPM_REGISTRY}" ]; then export npm_config_registry="${NPM_REGISTRY}"; fi; \
    if ls /tmp/extra-ca/*.crt >/dev/null 2>&1; then \
      cat /etc/ssl/certs/ca-certificates.crt /tmp/extra-ca/*.crt > /tmp/ca-bundle.pem; \
      export npm_config_cafile=/tmp/ca-bundle.pem; \
    fi; \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error; \
    rm -rf /root/.npm
COPY src ./src

FROM ${NODE_IMAGE}
WORKDIR /srv
COPY --from=builder /srv/node_modules ./node_modules
COPY --from=builder /srv/package.json ./package.json
COPY --from=builder /srv/src ./src
# Numeric non-root user; the agent writes nothing (tsx's cache goes to /tmp, a tmpfs at run time).
USER 10001:10001
ENV NODE_ENV=production
# The port and token come from the service (HTTPBENCH_AGENT_PORT, HTTPBENCH_AGENT_TOKEN).
ENTRYPOINT ["node", "--import", "tsx", "src/cli/generator-agent.ts"]
