"""The HTTP API: a JoggAI v2 compatible Product API built with FastAPI.

Public surface: :func:`prodex.api.app.create_app`.
"""
