# Stand-in for python:3.13-slim, built by scripts/build-bases.sh without any container registry:
# Debian's python3 (3.13 in trixie) and venv, with `python` like the official image.
ARG DEBIAN_BASE=httpbench-base/debian:trixie
FROM ${DEBIAN_BASE}
COPY extra-ca.crt /usr/local/share/ca-certificates/httpbench-extra.crt
RUN if [ -s /usr/local/share/ca-certificates/httpbench-extra.crt ]; then update-ca-certificates >/dev/null; \
    else rm /usr/local/share/ca-certificates/httpbench-extra.crt; fi
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && ln -sf /usr/bin/python3 /usr/local/bin/python
# pip's vendored certifi would ignore the trust store; point it (and Python's ssl) at the system bundle.
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
CMD ["python3"]
