"""Stored data as frames: the only code in analysis/ that queries responses and codings.

- :mod:`.tidy`: one tidy DataFrame per wave (a row per completed response, a column per
  variable), the variables with their labels, the questions' analysis roles;
- :mod:`.lines`: the stored CSV line of each completed response, which the CSV export streams
  and the report's frame is read from (``line_frame``, equal to ``wave_frame`` for one wave);
- :mod:`.coding`: the coders' codings and final codes as frames.
"""
from .tidy import (META_COLUMNS, Roles, Variable, VariableMatch, missing_as_na, roles, variables, variables_match,
                   wave_frame, wave_list, wave_version)

__all__ = ["META_COLUMNS", "Roles", "Variable", "VariableMatch", "missing_as_na", "roles", "variables",
           "variables_match", "wave_frame", "wave_list", "wave_version"]
