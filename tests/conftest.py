"""Shared test configuration: hypothesis profiles.

``CI`` set in the environment -> the reproducible "ci" profile (derandomized,
200 examples per property unless a test asks for more); otherwise "dev".
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=200)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
