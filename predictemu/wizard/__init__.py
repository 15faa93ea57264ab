"""Generate Synapse scoring procedures from a table and an MLflow ONNX model.

This is an offline copy of Synapse Studio's scoring wizard: it maps table
columns onto model inputs, picks the outputs PREDICT can return, stores the
model in a model table and writes a stored procedure that scores the table.
"""

from predictemu.wizard.errors import WizardError
from predictemu.wizard.generate import WizardOptions, WizardResult, run_wizard

__all__ = ["WizardError", "WizardOptions", "WizardResult", "run_wizard"]
