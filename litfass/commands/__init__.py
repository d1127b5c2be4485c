"""One module per command; each has `register(subparsers)` and a `run(args)`."""
