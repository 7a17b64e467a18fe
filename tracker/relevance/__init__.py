"""Relevance: is a paper about large language models? ``keywords`` (first stage), ``classifier`` (a logistic
regression on MiniLM vectors for what the words cannot settle), ``filter`` (both, over a batch)."""
