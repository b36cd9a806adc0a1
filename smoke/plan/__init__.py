"""Planning a run: config + options + farm state -> the checks and settings of one run."""
