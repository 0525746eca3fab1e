"""The API's routers: products, user, operations."""
