"""`newsbot` and `python -m bot`: the command line, saying a Ctrl-C while it is still loading as it says one later."""

import sys


def main() -> int:
    """Run `bot.cli.main`; a Ctrl-C while its modules load (a second or so) printed a Python traceback."""
    try:
        from bot.cli import main as run
    except KeyboardInterrupt:
        print("newsbot: interrupted", file=sys.stderr)
        return 130  # bot.cli's EXIT_INTERRUPTED, not loaded yet
    return run()


if __name__ == "__main__":
    raise SystemExit(main())
