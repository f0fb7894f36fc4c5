"""The ``kams`` command: every Django management command, plus the KAMS ones
(``demo``, ``serve``, ``worker``, ``backup``, ``restore``)."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kams.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kams", *(sys.argv[1:] if argv is None else argv)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
