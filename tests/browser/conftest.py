"""Browser tests: Playwright drives Debian's headless Chromium against the app served on localhost.

Chromium comes from MOBILITE_TEST_CHROMIUM or the PATH (`apt-get install chromium`); without it these
tests skip and say so (and fail under MOBILITE_TEST_STRICT=1). A failing test saves a screenshot in
test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class DatabaseGate:
    """The live server and the test share one database connection (the test's transaction). The test thread
    holds the gate while it runs its own code and lets go only while it waits on the browser; the server
    takes it for each request. So a page's late fetch never interleaves with the test's queries, which
    broke the connection's savepoints on a busy machine."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holder: int | None = None

    def hold(self) -> None:
        self.lock.acquire()
        self.holder = threading.get_ident()

    def let_go(self) -> bool:
        if self.holder != threading.get_ident():
            return False
        self.holder = None
        self.lock.release()
        return True


GATE = DatabaseGate()


def _waiting_on_the_browser(original):
    # Every wait of the sync API goes through this function: a call, and the end of a `with
    # page.expect_navigation()` (or expect_download...) block, which waits for the page's own requests.
    def wait_for_future(*args, **kwargs):
        released = GATE.let_go()
        try:
            return original(*args, **kwargs)
        finally:
            if released:
                GATE.hold()

    return wait_for_future


def _one_request_at_a_time(app):
    def wsgi(environ, start_response):
        with GATE.lock:
            response = app(environ, start_response)
            try:
                return [b"".join(response)]  # the body is produced inside the gate
            finally:
                getattr(response, "close", lambda: None)()

    return wsgi


def chromium_path() -> str | None:
    return os.environ.get("MOBILITE_TEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        pytest.skip("browser tests need Chromium: apt-get install chromium (or set MOBILITE_TEST_CHROMIUM)")
    from playwright._impl import _sync_base
    from playwright.sync_api import sync_playwright

    _sync_base.wait_for_future = _waiting_on_the_browser(_sync_base.wait_for_future)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The app on a free localhost port, single-threaded so it shares the test's connection safely."""
    server = make_server("127.0.0.1", 0, _one_request_at_a_time(app), threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    GATE.hold()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        GATE.let_go()
        # shutdown() returns once the request in flight is answered; until then the server thread still uses
        # the test's connection, so the transaction must not be rolled back under it (a slow machine made
        # the next test start on a broken savepoint).
        server.shutdown()
        thread.join(timeout=120)
        assert not thread.is_alive(), "the test server did not stop"
        server.server_close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and page is not None:
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / f"{item.name}.png"
        try:
            page.screenshot(path=str(target), full_page=True)
        except Exception as exc:  # noqa: BLE001 - a screenshot that fails must not hide the test's own failure
            report.sections.append(("screenshot", f"not taken: {exc}"))
        else:
            report.sections.append(("screenshot", str(target)))


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
