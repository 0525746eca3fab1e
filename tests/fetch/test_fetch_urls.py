"""URL reading: schemes, userinfo, length, ports, and every alternative spelling of a host.

Pure function tests (parse_target_url and the guard's check_url, which does no DNS).
"""

from __future__ import annotations

import pytest

from fixtures.fetching import make_settings
from prodex.errors import URLRefused
from prodex.fetch.guard import URLGuard
from prodex.fetch.urls import parse_target_url


def parse(url: str, max_length: int = 2048) -> tuple[str, str, int]:
    target = parse_target_url(url, max_length=max_length)
    return target.url, target.host, target.port


@pytest.mark.parametrize(
    ("url", "host"),
    [
        # decimal, hex, octal and shortened IPv4 spellings all mean 127.0.0.1
        ("http://2130706433/", "127.0.0.1"),
        ("http://0x7f000001/", "127.0.0.1"),
        ("http://0X7F.0.0.1/", "127.0.0.1"),
        ("http://0177.0.0.1/", "127.0.0.1"),
        ("http://017700000001/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://127.0.1/", "127.0.0.1"),
        ("http://0x7f.0x0.0x0.0x1/", "127.0.0.1"),
        ("http://0x7f.1/", "127.0.0.1"),
        ("http://127.0.0.1./", "127.0.0.1"),
        ("http://0/", "0.0.0.0"),
        ("http://0x0/", "0.0.0.0"),
        ("http://3232235777/", "192.168.1.1"),
        ("http://0xa9.0xfe.0xa9.0xfe/", "169.254.169.254"),
        ("http://169.254.43518/", "169.254.169.254"),
        ("http://0251.0376.0251.0376/", "169.254.169.254"),
        # full-width digits and dots fold (UTS #46) to an IPv4 address
        ("http://１２７．０．０．１/", "127.0.0.1"),
        ("http://127。0。0。1/", "127.0.0.1"),
        # IPv6 literals are canonicalised
        ("http://[::1]/", "::1"),
        ("http://[0:0:0:0:0:0:0:1]/", "::1"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
        ("http://[::FFFF:7F00:1]/", "::ffff:7f00:1"),
        # names: case, trailing dots, IDN to punycode
        ("http://LOCALHOST./", "localhost"),
        ("http://Shop.Example.COM./x", "shop.example.com"),
        ("https://bücher.de/", "xn--bcher-kva.de"),
        ("https://ＥＸＡＭＰＬＥ．ｃｏｍ/", "example.com"),
        ("https://xn--bcher-kva.de/", "xn--bcher-kva.de"),
        ("https://_dmarc.example.com/", "_dmarc.example.com"),
    ],
)
def test_host_spellings_are_made_canonical(url: str, host: str) -> None:
    assert parse(url)[1] == host


def test_rebuilt_url_uses_the_canonical_host_and_drops_fragment() -> None:
    url, host, port = parse("HTTP://0x7f.1:8080/a/b?c=d#frag")
    assert (url, host, port) == ("http://127.0.0.1:8080/a/b?c=d", "127.0.0.1", 8080)
    assert parse("https://Example.com:443")[0] == "https://example.com/"
    assert parse("http://[::1]:81/p")[0] == "http://[::1]:81/p"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty"),
        ("ftp://example.com/", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("gopher://example.com/", "Only http and https"),
        ("javascript:alert(1)", "Only http and https"),
        ("http:example.com", "absolute"),
        ("//example.com/", "Only http and https"),
        ("http://user@example.com/", "user name or password"),
        ("http://user:pass@example.com/", "user name or password"),
        ("http://example.com@127.0.0.1/", "user name or password"),
        ("http://example.com\\@127.0.0.1/", "backslashes"),
        ("http://exa mple.com/", "spaces"),
        ("http://example.com/\x00", "control characters"),
        ("http://127%2E0%2E0%2E1/", "Percent-encoded"),
        ("http://[fe80::1%25eth0]/", "Percent-encoded"),
        ("http://256.0.0.1/", "not a valid IPv4"),
        ("http://1.2.3.4.5/", "not a valid IPv4"),
        ("http://0x100000000/", "not a valid IPv4"),
        ("http://08.0.0.1/", "not a valid IPv4"),
        ("http://[::1/", "cannot be parsed"),
        ("http://a..b/", "not a valid domain"),
        ("http://-bad.example.com/", "not a valid domain"),
        ("http://xn--zz.example.com/", "invalid internationalised"),
        ("http://example.com:0/", "port is not valid"),
        ("http://example.com:65536/", "port is not valid"),
        ("http://example.com:http/", "port is not valid"),
        ("http://example.com:22/", "Port 22"),
        ("http://example.com:25/", "Port 25"),
        ("http:///path", "no host"),
    ],
)
def test_bad_urls_are_refused_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(URLRefused) as refused:
        parse(url)
    assert message in refused.value.msg


def test_length_is_bounded() -> None:
    url = "https://example.com/" + "a" * 100
    assert parse(url, max_length=len(url))[0] == url
    with pytest.raises(URLRefused, match="longer than"):
        parse(url + "b", max_length=len(url))


# With default settings the guard refuses every local spelling before any lookup.
LOCAL_URLS = [
    "http://127.0.0.1/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://１２７．０．０．１/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::1]/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0xa9fea9fe/",
    "http://100.64.0.1/",
    "http://0/",
    "http://localhost/",
    "http://localhost./",
    "http://LOCALHOST:8080/",
    "http://api.localhost/",
    "http://printer.local/",
    "http://metadata.google.internal/",
    "http://router.home.arpa/",
    "http://1.0.0.127.in-addr.arpa/",
    "http://intranet/",
    "http://shop.test/",
]


@pytest.mark.parametrize("url", LOCAL_URLS)
def test_guard_refuses_local_spellings_with_default_settings(url: str) -> None:
    guard = URLGuard(make_settings())
    with pytest.raises(URLRefused) as refused:
        guard.check_url(url)
    assert "not allowed" in refused.value.msg


def test_guard_messages_do_not_echo_resolved_addresses() -> None:
    guard = URLGuard(make_settings())
    with pytest.raises(URLRefused) as refused:
        guard.check_url("http://0xa9fea9fe/")
    assert "169.254" not in refused.value.msg
    assert "cloud metadata" in refused.value.msg


def test_allow_private_lifts_only_the_address_and_name_policy() -> None:
    guard = URLGuard(make_settings(fetch_allow_private=True))
    assert guard.check_url("http://127.1:8080/").host == "127.0.0.1"
    assert guard.check_url("http://localhost/").host == "localhost"
    with pytest.raises(URLRefused):
        guard.check_url("http://user@127.0.0.1/")
    with pytest.raises(URLRefused):
        guard.check_url("file:///etc/passwd")


@pytest.mark.parametrize(
    ("allowed", "url", "ok"),
    [
        # An entry without a port allows the web's ports only (the issue: 127.0.0.1 reached Redis).
        (["127.0.0.1"], "http://127.0.0.1/", True),
        (["127.0.0.1"], "https://127.0.0.1/", True),
        (["127.0.0.1"], "http://127.0.0.1:443/", True),
        (["127.0.0.1"], "http://127.0.0.1:8080/", False),
        (["127.0.0.1"], "http://127.0.0.1:6379/", False),
        (["127.0.0.1"], "http://127.0.0.1:5432/", False),
        (["127.0.0.1:8080"], "http://127.0.0.1:8080/", True),
        (["127.0.0.1:8080"], "http://127.0.0.1/", False),
        (["127.0.0.1:8080"], "http://127.0.0.1:8081/", False),
        (["127.0.0.1"], "http://2130706433/", True),  # same host, other spelling
        (["127.0.0.1"], "http://localhost/", False),
        (["127.0.0.1"], "http://127.0.0.2/", False),
        (["shop.example.com"], "https://SHOP.example.com./p", True),
        (["shop.example.com"], "https://www.shop.example.com/p", False),
        (["*.example.com"], "https://www.example.com/p", True),
        (["*.example.com"], "https://example.com/p", False),
        (["*.example.com"], "https://evilexample.com/p", False),
        (["bücher.de"], "https://xn--bcher-kva.de/", True),
        (["a.example.com", "b.example.com"], "https://b.example.com/", True),
        (["::1"], "http://[::1]:8080/", False),
        (["[::1]:8080"], "http://[::1]:8080/", True),
        (["*.example.com"], "https://www.example.com:8443/p", False),
        (["*.example.com:8443"], "https://www.example.com:8443/p", True),
        (["*.example.com:8443"], "https://www.example.com/p", False),
        (["[::1]"], "http://[0::1]/", True),
        (["::1"], "http://127.0.0.1/", False),
    ],
)
def test_allowed_hosts(allowed: list[str], url: str, ok: bool) -> None:
    guard = URLGuard(make_settings(fetch_allow_private=True, fetch_allowed_hosts=allowed))
    if ok:
        guard.check_url(url)
    else:
        with pytest.raises(URLRefused, match="PRODEX_FETCH_ALLOWED_HOSTS"):
            guard.check_url(url)


def test_allowed_hosts_from_the_environment_form() -> None:
    settings = make_settings(fetch_allowed_hosts=" Shop.Example.com. , *.cdn.example.com ")
    guard = URLGuard(settings)
    guard.check_url("https://shop.example.com/")
    guard.check_url("https://img.cdn.example.com/")
    with pytest.raises(URLRefused):
        guard.check_url("https://other.example.com/")


def test_invalid_allow_list_entries_fail_at_start_up() -> None:
    with pytest.raises(ValueError, match="PRODEX_FETCH_ALLOWED_HOSTS has an invalid entry"):
        URLGuard(make_settings(fetch_allowed_hosts=["bad host!"]))
