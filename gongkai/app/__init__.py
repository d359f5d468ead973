"""The application: the CLI (cli), terminal output (terminal), progress (progress), Prefect settings
(prefect_env) and the chunk pipeline the flows run (pipeline). Thin over the stage packages."""
