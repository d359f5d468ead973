"""Prefect flows of gongkai (thin orchestration over plain functions in the `gongkai` package)."""

from gongkai.app import prefect_env

prefect_env.configure()
