# Production image: the service under uvicorn, one worker, runtime dependencies only.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY policies ./policies
COPY sheet_schema ./sheet_schema
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    AFTERSALES_ENVIRONMENT=production \
    AFTERSALES_HOST=0.0.0.0 \
    AFTERSALES_PORT=8000 \
    AFTERSALES_DATABASE_URL=sqlite:////var/lib/aftersales/aftersales.db
RUN useradd --system --create-home --home-dir /var/lib/aftersales --uid 10001 aftersales
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER aftersales
WORKDIR /var/lib/aftersales
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4); sys.exit(0)"
CMD ["aftersales", "serve"]
