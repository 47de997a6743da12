"""The HTTP API: FastAPI routers, their dependencies, schemas and error mapping."""
