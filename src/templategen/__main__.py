"""``python -m templategen``: the same as the ``templategen`` command."""

from templategen.cli import main

if __name__ == "__main__":
    main()
