"""Shared processors: pure functions that turn raw page values into the Product's formats."""
