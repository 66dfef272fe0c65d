from tests.digital.conftest import digital_sandbox, tab  # noqa: F401  (the same backend fixtures)
