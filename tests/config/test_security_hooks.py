"""axes' client address: a valid IP address or None (PostgreSQL's inet column refuses any other text)."""
from django.test import RequestFactory

from config.security import client_ip


def test_a_request_without_an_address_counts_under_none():
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR", None)
    assert client_ip(request) is None


def test_a_valid_address_is_kept():
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")) == "203.0.113.7"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="::1")) == "::1"


def test_a_long_user_name_is_cut_to_what_axes_stores():
    from config.security import username

    request = RequestFactory().post("/accounts/login/", {"username": "x" * 5000})
    assert username(request, {"username": "x" * 5000}) == "x" * 255
    assert username(request) == "x" * 255 and username(RequestFactory().get("/")) is None
