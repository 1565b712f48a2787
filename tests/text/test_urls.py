import pytest

from rag.text.urls import url_key

CNN = "cnn.com/2022/07/07/tech/theranos-rise-and-fall"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.cnn.com/2022/07/07/tech/theranos-rise-and-fall/index.html",
        "https://www.cnn.com/2022/07/07/tech/theranos-rise-and-fall/",
        "https://www.cnn.com/2022/07/07/tech/theranos-rise-and-fall/?",
        "https://www.cnn.com/2022/07/07/tech/theranos-rise-and-fall/index.html/",
        "http://www.cnn.com/2022/07/07/tech/theranos-rise-and-fall/index.html!",
        "https://www.cnn.com/2022/07/07/tech/theranos-rise-and-fall?cid=external-feeds_iluminar",
        "https://cnn.com/2022/07/07/tech/theranos-rise-and-fall?utm_source=business_ribbon",
        "HTTPS://WWW.CNN.COM:443/2022/07/07/tech/theranos-rise-and-fall#comments",
    ],
)
def test_variants_of_one_address_have_one_key(url):
    assert url_key(url) == CNN


def test_what_names_content_is_kept():
    assert url_key("https://news.test/story?id=42&utm_medium=x") == "news.test/story?id=42"
    assert url_key("https://news.test/story?id=42") != url_key("https://news.test/story?id=43")
    assert url_key("https://news.test/a/b") != url_key("https://news.test/a")
    assert url_key("https://news.test:8080/a") != url_key("https://news.test/a")
    assert url_key("t17://bp/1") != url_key("https://bp/1") and url_key("") == ""
