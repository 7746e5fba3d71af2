"""``python -m houqin_common``: the `houqin` command without its console script."""

from houqin_common.cli import main

if __name__ == "__main__":
    main()
