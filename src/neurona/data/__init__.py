"""Data preparation for tabular training: splits, encoding, CSV reading and a setup doctor.

* :func:`train_val_test_split`, :func:`train_test_split` — (stratified) random splits.
* :class:`TabularEncoder` — standardize numbers, one-hot categories (with an unknown bucket),
  label-encode the target; fitted on training rows only, saved as plain JSON config.
* :func:`recommended_output` — output units, activation and loss per task (the course's table).
* :func:`read_table` — read a CSV (or .csv.gz) with one-line :class:`DataError` messages.
* :func:`check_training_setup` / :func:`format_findings` — catch unscaled inputs, class
  imbalance, loss/activation/label mismatches and sorted data before training (``fit`` runs
  the same check; it lives in ``neurona.models.doctor``).

pandas (``pip install neurona[data]``) is needed by the encoder and the CSV reader; it is
imported on first use.
"""

from .csv import DataError, read_table
from ..models.doctor import Finding, check_training_setup, format_findings
from .splits import k_fold_indices, train_test_split, train_val_test_split
from .tabular import (IdentifierColumnWarning, MissingValueWarning, OutlierWarning,
                      TabularEncoder, recommended_output)

__all__ = ["train_val_test_split", "train_test_split", "k_fold_indices", "TabularEncoder",
           "MissingValueWarning", "OutlierWarning", "IdentifierColumnWarning",
           "recommended_output", "read_table", "DataError", "check_training_setup",
           "format_findings", "Finding"]
