"""Keyword spotting on log-mel frames."""
