#!/usr/bin/env python3
"""Sparta's local AWS emulator: moto's server with the fixes and resource types of sparta_moto/ (see README.md).

Usage:
    python3 server.py [-H 127.0.0.1] [-p 5000] [--exit-with-parent]   moto_server's arguments, plus:
        --exit-with-parent   stop when the process that started this one ends (a test run that crashed)
    python3 server.py --probe                                       print the moto version, exit 0 if usable
"""
from __future__ import annotations

import os
import sys
import threading
import time

SUPPORTED_MOTO = ((5, 1), (5, 2))


def _moto_version() -> str:
    import moto
    import flask  # noqa: F401  (moto's server mode needs flask, flask-cors and PyYAML: moto[server])
    import flask_cors  # noqa: F401
    import yaml  # noqa: F401

    return moto.__version__


def _exit_with_parent() -> None:
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def main(argv: list[str]) -> None:
    if argv == ["--probe"]:
        print(_moto_version())
        return
    version = _moto_version()
    major_minor = tuple(int(x) for x in version.split(".")[:2])
    if major_minor not in SUPPORTED_MOTO:
        print(f"warning: moto {version} is untested with these patches (tested: 5.1, 5.2)", file=sys.stderr)
    if "--exit-with-parent" in argv:
        argv = [a for a in argv if a != "--exit-with-parent"]
        _exit_with_parent()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import sparta_moto  # noqa: F401  (applies the fixes)
    from moto.server import main as moto_main

    moto_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
