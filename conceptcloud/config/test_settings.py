"""Settings for the test suite: the production settings, with data in a temporary
folder and static files served from the app folders.
"""

import os
import tempfile

os.environ["CC_DATA_DIR"] = os.environ.get("CC_TEST_DATA_DIR") or tempfile.mkdtemp(prefix="cc-test-")
os.environ["CC_TESTING"] = "1"
# One converted embedding model for every test process and run (and the subprocesses they start).
os.environ.setdefault("CC_MODEL_DIR", os.path.join(tempfile.gettempdir(), "conceptcloud-test-models"))
os.environ.pop("CC_SECRET_KEY", None)

from conceptcloud.config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The SQLite test database is a file in the data folder, not Django's in-memory
# default, so other processes can open it (history/tests/test_concurrency.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": DATA_DIR / "test.sqlite3"}  # noqa: F405

# WhiteNoise expects the collected-files folder to exist even when it serves from the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
