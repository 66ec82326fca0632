"""`_is_web_url` validates a listing's address by its origin once per host and the rest by hand; it must
answer exactly as Django's URL validator does for the whole address."""

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from merchants.services.marketplace import WEB_URL, _is_web_url

SCHEMES = st.sampled_from(["http://", "https://", "ftp://", "HTTP://", "http:/", ""])
HOSTS = st.one_of(
    st.sampled_from(
        [
            "market.example",
            "shop.example.com:8080",
            "user:pw@market.example",
            "192.168.0.1",
            "[2001:db8::1]",
            "[2001:db8::1",
            "bücher.example",
            "-bad-.example",
            "localhost",
            "a" * 64 + ".example",
            "market.example:99999",
            "",
            "exa mple.com",
            "market.example\\evil",
        ]
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-:@[]", min_size=0, max_size=30),
)
RESTS = st.one_of(
    st.sampled_from(["", "/", "/item/1", "?q=1", "#top", "/a b", "/tab\there", "/nl\n", "/ü/ok", "/\u00a0"]),
    st.text(min_size=0, max_size=40),
)


def validator_says(url: str) -> bool:
    try:
        WEB_URL(url)
    except ValidationError:
        return False
    return True


@settings(max_examples=600, deadline=None)
@given(SCHEMES, HOSTS, RESTS)
def test_it_answers_as_djangos_url_validator(scheme, host, rest):
    url = scheme + host + rest
    assert _is_web_url(url) == (validator_says(url) and url.startswith(("http://", "https://")))


def test_its_length_limit_is_the_validators():
    url = "https://market.example/" + "a" * 2100
    assert _is_web_url(url) is False is validator_says(url)
    assert _is_web_url("https://market.example/" + "a" * 1000) is True
