"""`make bench`: benchmark databases, search latency side by side, HTTP load."""
