"""gpt model family."""
