# FastAPI target. Build context: the repo root.
#   docker build -f docker/fastapi.Dockerfile -t httpbench/fastapi .
# PYTHON_IMAGE may be the official python:3.13-slim or the air-gapped stand-in
# httpbench-base/python:3.13-slim (scripts/build-bases.sh); both provide `python` with venv.
ARG PYTHON_IMAGE=python:3.13-slim

FROM ${PYTHON_IMAGE} AS builder
# Optional mirror; empty means PyPI.
ARG PIP_INDEX_URL=
COPY docker/extra-ca/ /tmp/extra-ca/
COPY targets/fastapi/requirements.txt /tmp/requirements.txt
# Extra CAs (docker/extra-ca/*.crt) are trusted for this RUN only: the bundle lives in /tmp of the
# builder stage, which the final image never copies.
RUN set -eu; \
    if [ -z "${PIP_INDEX_URL}" ]; then unset PIP_INDEX_URL; fi; \
    python -m venv /opt/venv; \
    if ls /tmp/extra-ca/*.crt >/dev/null 2>&1; then \
      cat "$(/opt/venv/bin/python -c 'import pip._vendor.certifi as c; print(c.where())')" /tmp/extra-ca/*.crt > /tmp/ca-bundle.pem; \
      export PIP_CERT=/tmp/ca-bundle.pem SSL_CERT_FILE=/tmp/ca-bundle.pem; \
    fi; \
    /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check -q -r /tmp/requirements.txt; \
    /opt/venv/bin/pip uninstall -y -q pip
COPY targets/fastapi/app /srv/app
# Bytecode compiled here: the final rootfs is read-only at run time.
RUN /opt/venv/bin/python -m compileall -q /srv/app

FROM ${PYTHON_IMAGE}
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /srv/app /srv/app
WORKDIR /srv
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 HOST=0.0.0.0 PORT=8000
# Numeric so Kubernetes-style runAsNonRoot checks work without a passwd entry.
USER 10001:10001
EXPOSE 8000
CMD ["python", "-m", "app.serve"]
