"""The ``smoke`` command line: argparse faces over the stages below."""
