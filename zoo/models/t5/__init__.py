"""t5 model family."""
