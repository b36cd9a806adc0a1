"""The vocabulary every stage shares: checks, records, findings, outcomes, exit codes."""
