"""The wizard's exception."""

from __future__ import annotations

from predictemu.errors import PredictEmuError


class WizardError(PredictEmuError):
    """The wizard cannot map, validate or generate a scoring procedure."""
