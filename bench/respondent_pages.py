"""Page weight and time per page of the respondent survey on a phone — 127.0.0.1 only.

    .venv/bin/python bench/respondent_pages.py [--runs 3]

Starts `afstand serve --demo` on a free local port with a fresh SQLite database and walks the
client questionnaire in headless Debian Chromium on a 375×667 touch profile: consent, every
page, the review page, the thank-you page, the withdrawal and sign-up pages. For each page step
it records the bytes on the wire (compressed, headers included, from Chromium's network events)
and the time from the tap to the page's load event, on a fast link (no throttling) and on a slow
one (Chromium's network emulation: 150 ms round trip, 1.6 Mbit/s each way). A page step is a
POST answered by a 303 and the GET of the next page, so a step costs two round trips.
Prints a Markdown table. Targets (issue 14): every page < 20 KB compressed, < 1 s on the slow link.
Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from loadkit import demo_server
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
PHONE = {"viewport": {"width": 375, "height": 667}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True, "locale": "nl-NL"}
SLOW = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 1_600_000 / 8}


class Meter:
    def __init__(self, context, page, slow: bool):
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        if slow:
            self.cdp.send("Network.emulateNetworkConditions", SLOW)
        self.bytes = 0
        self.cdp.on("Network.loadingFinished", lambda event: self._add(event))

    def _add(self, event):
        self.bytes += int(event.get("encodedDataLength", 0))

    def measure(self, page, action) -> tuple[float, int]:
        self.bytes = 0
        started = time.perf_counter()
        with page.expect_navigation(wait_until="load"):
            action()
        elapsed = time.perf_counter() - started
        page.wait_for_timeout(50)  # late loadingFinished events (the favicon)
        return elapsed, self.bytes


def walk(browser, base: str, slow: bool, first: bool) -> list[tuple[str, float, int]]:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    meter = Meter(context, page, slow)
    rows = []

    def step(name, action):
        rows.append((name, *meter.measure(page, action)))

    step("consent (first visit: page, script, favicon)" if first else "consent", lambda: page.goto(f"{base}/s/clienten?via=whatsapp"))
    page.get_by_text("Ja, ik doe mee").tap()
    step("consent given: Over jou", lambda: page.locator("button.forward").tap())
    page.get_by_label("Hoe oud ben je?").fill("41")
    page.get_by_label("Hoe lang heb je al contact met de reclassering?").fill("0,5")
    for _ in range(10):
        if page.locator("h1").inner_text() == "Controleer je antwoorden":
            break
        step("next", lambda: page.locator("button.forward").tap())
        rows[-1] = (f"next: {page.locator('h1').inner_text()}", *rows[-1][1:])
    step("send: thank-you page", lambda: page.locator("button.forward").tap())  # from the review page
    step("withdrawal page", lambda: page.goto(f"{base}/intrekken"))
    step("sign-up page", lambda: page.goto(f"{base}/aanmelden/werken-op-afstand"))
    context.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="afstand-pages-"))
    with demo_server(tmp, db=f"sqlite:///{tmp / 'pages.sqlite3'}", workers=2) as (port, _db):
        base = f"http://127.0.0.1:{port}"
        results: dict[tuple[str, str], list[tuple[float, int]]] = {}
        order: list[str] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
            walk(browser, base, False, True)  # warm-up: server caches, Python imports
            for _ in range(args.runs):
                for link in ("fast", "slow"):
                    for name, seconds, size in walk(browser, base, link == "slow", True):
                        if name not in order:
                            order.append(name)
                        results.setdefault((name, link), []).append((seconds, size))
            browser.close()
        print("| page step | KB on the wire (compressed) | fast link: time | slow link (150 ms RTT, 1.6 Mbit/s): time |")
        print("|---|---|---|---|")
        for name in order:
            fast, slow = results[(name, "fast")], results[(name, "slow")]
            kb = max(size for _, size in fast + slow) / 1024
            print(
                f"| {name} | {kb:.1f} | {statistics.median(s for s, _ in fast) * 1000:.0f} ms "
                f"| {statistics.median(s for s, _ in slow) * 1000:.0f} ms (runs: {', '.join(f'{s * 1000:.0f}' for s, _ in slow)}) |"
            )


if __name__ == "__main__":
    main()
