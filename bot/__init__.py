"""newsbot: answers questions about a collection of news articles with cited paragraphs."""

__version__ = "0.1.0"
