"""The demo data set: real NASA and SBIR records plus a little hand-written content.

    sources.py   read the bundled files (registry/data/demo/*/README.txt) and
                 normalise their values into the services' data classes
    content.py   the demo's organisations and accounts, and the hand-written
                 Japanese and English demo assets and needs
    load.py      demo_load(limit=) → DemoReport: writes it all through the
                 services, in batches, idempotently

`conceptcloud demo` and `conceptcloud serve --demo` call demo_load; docs/demo.md
describes the content, the licences and the demo accounts.
"""

from conceptcloud.registry.demo.load import DemoReport, demo_load

__all__ = ["DemoReport", "demo_load"]
