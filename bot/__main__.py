"""`newsbot` and `python -m bot`: the command line, saying a Ctrl-C while it is still loading as it says one later."""

import gc
import sys

from bot import early_stop


def main() -> int:
    """Run `bot.cli.main`; a Ctrl-C while its modules load (a second or so), or while it reads its arguments before
    its own handling begins, printed a Python traceback. A SIGTERM meanwhile is kept for that handling to honour
    (`early_stop`): it ended the process in silence."""
    early_stop.listen()
    try:
        # The modules' objects, made by the hundred thousand as they load, set off a collection every few hundred,
        # each going over them again, and every full collection later as well: loaded with collections off, then
        # frozen, which they pass by (0.08-0.12 s of CPU a `stats` or `ask`, a tenth).
        gc.disable()
        try:
            from bot.cli import main as run
        finally:
            gc.freeze()
            gc.enable()
        return run()
    except KeyboardInterrupt:
        print("newsbot: interrupted", file=sys.stderr)
        return 130  # bot.cli's EXIT_INTERRUPTED, which may not be loaded yet
    finally:
        # The exit frees every object at once; Python's last collections first traversed them all (SQLAlchemy's,
        # numpy's, python-telegram-bot's: 0.2-0.3 s of CPU, a quarter of a `stats` or `ask`). Frozen, they are not.
        gc.freeze()


if __name__ == "__main__":
    raise SystemExit(main())
