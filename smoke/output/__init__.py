"""What a run writes and reads back: run directories, results, summary, evidence, redaction."""
