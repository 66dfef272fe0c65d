"""The bridge page loads the bridge from lwc/bridge/ (tested there with Jest) under its CSP."""

from __future__ import annotations

import json
import re

from tests.conftest import ROOT, bridge_boot


def test_the_page_loads_the_bridge_and_the_pinned_socketio_client_with_its_nonce(
    app, signed_request
):
    web = app.test_client()
    page = web.post(
        "/canvas",
        data={"signed_request": signed_request(instance_url="https://acme.my.salesforce.com/")},
    )
    html = page.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r'<script src="([^"]+)" nonce="([^"]+)"></script>', html)
    assert scripts == [
        # The org's Canvas SDK (refreshSignedRequest), from the instance the request names.
        ("https://acme.my.salesforce.com/canvas/sdk/js/66.0/canvas-all.js", nonce),
        ("/bridge/vendor/socket.io.min.js", nonce),
        ("/bridge/bridge.js", nonce),
    ]
    # The only origin the bridge will talk to: the Salesforce page's, exactly.
    assert bridge_boot(html)["parent_origin"] == "https://acme.my.salesforce.com"
    for path, _ in scripts[1:]:
        served = web.get(path)
        assert served.status_code == 200 and served.mimetype == "text/javascript"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert web.get("/bridge/../server/settings.py").status_code == 404
    assert web.get("/bridge/package.json").status_code == 404


def test_the_vendored_client_is_the_version_lwc_pins():
    pinned = json.loads((ROOT / "lwc" / "package.json").read_text())["dependencies"]
    vendored = (ROOT / "lwc" / "bridge" / "vendor" / "socket.io.min.js").read_text()
    assert vendored.startswith(f"/* socket.io-client {pinned['socket.io-client']} (MIT) */")
