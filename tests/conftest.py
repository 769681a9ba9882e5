"""Shared test set-up. Helpers live in tests/support/ (on the path via pyproject's pytest
``pythonpath``): ``casegen`` writes small case folders, ``lpcheck`` checks dual solutions,
``pypsa_mirror`` is an independent PyPSA reading of the case contract.

The test folders mirror the packages of ``model/``: inputs, formulation, solve, report,
studies; ``test_architecture.py`` checks the floors of the package itself.
"""
