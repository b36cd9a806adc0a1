"""Judgement: detectors over a page record, the verdict, and known issues (no browser here)."""
