# Production image: the service under uvicorn, one worker, runtime dependencies only.
#
# The base image is a build argument pinned by digest, so a rebuild gets the same Python and
# Debian packages until someone re-pins it on purpose (docs/deploy.md, "Pin the base image"):
#   docker build --build-arg PYTHON_BASE=python:3.11-slim@sha256:<digest> -t aftersales .
# Secrets are never baked in: mount them as files and name them with AFTERSALES_<NAME>_FILE.
# tests/deploy/test_production_install.py does what this file does, without a container engine.
ARG PYTHON_BASE=python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7

FROM ${PYTHON_BASE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY policies ./policies
COPY sheet_schema ./sheet_schema
# The service's wheel and the wheels of its runtime dependencies (no test extra).
RUN pip wheel --no-cache-dir --disable-pip-version-check --wheel-dir /wheels .

FROM ${PYTHON_BASE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    AFTERSALES_ENVIRONMENT=production \
    AFTERSALES_HOST=0.0.0.0 \
    AFTERSALES_PORT=8000
# No AFTERSALES_DATABASE_URL here: it is a secret setting, given at deploy time by variable or
# by AFTERSALES_DATABASE_URL_FILE (both at once is refused). Without either, the store is the
# default SQLite file var/aftersales.db under the WORKDIR (/var/lib/aftersales): one replica.
RUN groupadd --system --gid 10001 aftersales \
    && useradd --system --create-home --home-dir /var/lib/aftersales --uid 10001 --gid 10001 \
       aftersales
COPY --from=build /wheels /wheels
# --no-index: everything comes from the build stage's wheels, nothing from the network.
RUN pip install --no-cache-dir --disable-pip-version-check --no-index /wheels/*.whl \
    && rm -rf /wheels
USER 10001:10001
WORKDIR /var/lib/aftersales
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["aftersales", "serve"]
