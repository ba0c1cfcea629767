"""``python -m assess_rules``: the same as the ``assess-rules`` command."""

from assess_rules.cli import main

main()
