"""Training data: corpora parsed, split and tokenised once (`atelier train … dataset`)."""
