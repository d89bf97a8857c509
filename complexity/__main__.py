"""``python -m complexity score|columns``: the scoring command, which lives above the
model in :mod:`data_schema.cli.score` (complexity reads no files)."""

if __name__ == "__main__":  # the one entry point in complexity that is not part of the library
    from data_schema.cli.score import main
    raise SystemExit(main())
