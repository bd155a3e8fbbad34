"""newsbot: answers questions about a collection of news articles with cited paragraphs."""

import os

# numpy's products here are small (a question's word pieces against its passages'), and OpenBLAS's threads,
# spinning after each one, took the cores from the encoder's: with them, a question at 100k paragraphs took
# twice as long. Set before numpy loads; an operator's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
