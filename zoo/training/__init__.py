"""Training utilities: strategies, recipe configs, tuning."""
