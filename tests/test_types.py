import datetime as dt

from rag.types import Filters


def test_filters_admit_by_day_and_site_and_undated_only_without_since():
    march = Filters(dt.date(2024, 3, 1), dt.date(2024, 3, 31), ("cnn.com",))
    assert march.admits(20240301, "cnn.com") and march.admits(20240331, "cnn.com")
    assert not march.admits(20240229, "cnn.com") and not march.admits(20240401, "cnn.com")
    assert not march.admits(20240315, "bbc.co.uk")
    assert not march.admits(0, "cnn.com")  # undated fails a `since`
    assert Filters(until=dt.date(2024, 3, 31)).admits(0, "")  # but passes an `until`
    assert Filters().admits(0, "any.site")
