# bot/__init__.py keeps OpenBLAS to one thread, which takes only before numpy loads; tests/conftest.py (this package's
# first module pytest loads) imports numpy before bot, so every worker ran numpy's products on two OpenBLAS threads
# spinning after each small one (the soft word matches of every question asked): a desk's questions took 1.8x the
# CPU of a `newsbot ask` (35.7 -> 19.6 ms a question of the council desk, mean of 2 each, loads of about 20).
import bot  # noqa: F401
