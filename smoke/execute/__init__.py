"""Executing one check: attempts and retries, the give-up rule, the deadline.

Used by both `smoke run` (pytest items) and `smoke watch` (persistent workers).
"""
