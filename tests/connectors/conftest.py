"""Connector tests: a real `banquet serve` (the gateway suite's harness) against a real
PostgreSQL, with each provider played by a local server from providers.py."""
