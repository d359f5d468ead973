"""gongkai — deterministic audits of 政府信息公开工作年度报告 (government information-disclosure annual reports)."""

__version__ = "0.1.0"
# Bumped whenever parsing output can change for the same bytes; stored on every report row.
PARSER_VERSION = "3"
