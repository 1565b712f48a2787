from __future__ import annotations

import pytest

from tests.sources.site import Site


@pytest.fixture
def site():
    served = Site()
    served.news()
    yield served
    served.close()
