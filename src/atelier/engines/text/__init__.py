"""Text engines: write, restyle and summarize, on one text-model runtime (runtime.py)."""
