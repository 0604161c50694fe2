"""Statistics core: pure functions over pandas DataFrames (no Django).

- :mod:`analysis.stats.distribution`: item distributions (Table 1): ``item_distribution``.
- :mod:`analysis.stats.reliability`: ``cronbach_alpha``, ``polychoric``, ``ordinal_alpha``, ``omega``,
  ``block_reliability``.
- :mod:`analysis.stats.crosstab`: ``crosstab`` with chi-square, Cramer's V, exact tests.
- :mod:`analysis.stats.ordinal`: proportional-odds (cumulative link) regression: ``fit``.
- :mod:`analysis.stats.agreement`: agreement between coders: percent agreement, Cohen's kappa,
  Krippendorff's alpha, ``agreement_table``.
- :mod:`analysis.stats.consistency`: are published percentages possible for a claimed n (GRIM-like):
  ``percentages_check``, ``consistent_n``.
"""
from . import agreement, consistency, crosstab, distribution, ordinal, reliability

__all__ = ["agreement", "consistency", "crosstab", "distribution", "ordinal", "reliability"]
