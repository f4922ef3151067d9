"""The docs must not drift from the code."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_opens_with_exactly_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```sh\n(.*?)```", readme, re.S).group(1)
    commands = [line for line in first_block.splitlines() if line.strip() and not line.startswith("#")]
    assert [c.split("#")[0].strip() for c in commands] == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_the_architecture_map_names_every_app():
    architecture = (ROOT / "docs" / "architecture.md").read_text()
    apps = [p.parent.name for p in (ROOT / "conceptcloud").glob("*/apps.py")]
    assert apps
    for app in apps:
        assert f"{app}/" in architecture, f"docs/architecture.md does not map {app}/"


def test_every_environment_variable_the_settings_read_is_documented():
    settings_source = (ROOT / "conceptcloud" / "config" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    names = set(re.findall(r'"(CC_[A-Z_]+)"', settings_source)) - {"CC_TESTING"}
    for name in names:
        stem = re.sub(r"_(PORT|USER|PASSWORD|TLS)$", "", name)
        assert name in readme or stem in readme, f"{name} is not in the README"
