"""Shared test configuration."""

from hypothesis import HealthCheck, settings

# Property tests are sized to keep `make test` within minutes on a 2-core machine.
settings.register_profile(
    "nmf-lab", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("nmf-lab")
