# Stand-in for node:20-bookworm-slim, built by scripts/build-bases.sh without any container registry:
# Debian's nodejs (20.x in trixie) and npm on the local Debian rootfs image.
ARG DEBIAN_BASE=httpbench-base/debian:trixie
FROM ${DEBIAN_BASE}
COPY extra-ca.crt /usr/local/share/ca-certificates/httpbench-extra.crt
RUN if [ -s /usr/local/share/ca-certificates/httpbench-extra.crt ]; then update-ca-certificates >/dev/null; \
    else rm /usr/local/share/ca-certificates/httpbench-extra.crt; fi
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# npm verifies TLS against node's bundled roots, not the system store that holds the extra CA above;
# npm's global config file points it there (a file, not an ENV, so no variable reaches target images).
RUN echo 'cafile=/etc/ssl/certs/ca-certificates.crt' > /etc/npmrc
CMD ["node"]
