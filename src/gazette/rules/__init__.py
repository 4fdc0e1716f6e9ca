"""The rules engine: dated, cited parameters; vectorised rules; explanations; batch; YAML tests.

Policy packs write their ``rules.py`` against this small surface::

    from gazette.rules import rule, least, times_rate
"""

from gazette.rules.rule import Builder, Rule, greatest, least, lit_int, rule, times_rate

__all__ = ["Builder", "Rule", "rule", "least", "greatest", "times_rate", "lit_int"]
