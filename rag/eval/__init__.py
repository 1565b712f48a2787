"""Evaluation harness and baselines; the product never imports it (the CLI does, for `eval`)."""
