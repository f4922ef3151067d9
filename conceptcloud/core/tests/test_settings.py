import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_tests_keep_their_data_out_of_the_working_folder():
    assert "cc-test-" in str(settings.DATA_DIR)


def _settings_in_fresh_process(env: dict[str, str]) -> str:
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='conceptcloud.config.settings';"
        "from django.conf import settings; print(settings.SECRET_KEY); print(settings.DEBUG);"
        "print(settings.ALLOWED_HOSTS); print(settings.DATABASES['default']['ENGINE'])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CC_")}
    result = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_the_secret_key_is_generated_once_into_the_data_folder_and_kept(tmp_path):
    first = _settings_in_fresh_process({"CC_DATA_DIR": str(tmp_path)})
    second = _settings_in_fresh_process({"CC_DATA_DIR": str(tmp_path)})
    key_file = Path(tmp_path, "secret_key")
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert first.splitlines()[0] == second.splitlines()[0] == key_file.read_text().strip()
    assert len(key_file.read_text().strip()) >= 50


def test_configuration_comes_from_the_environment(tmp_path):
    out = _settings_in_fresh_process(
        {
            "CC_DATA_DIR": str(tmp_path),
            "CC_SECRET_KEY": "from-the-environment",
            "CC_DEBUG": "true",
            "CC_ALLOWED_HOSTS": "cc.example.org, www.cc.example.org",
            "CC_DATABASE_URL": "postgres://u:p@db.example.org:5432/cc",
        }
    ).splitlines()
    assert out[0] == "from-the-environment"
    assert out[1] == "True"
    assert out[2] == "['cc.example.org', 'www.cc.example.org']"
    assert out[3] == "django.db.backends.postgresql"
    assert not (tmp_path / "secret_key").exists()


def test_the_default_is_sqlite_in_the_data_folder_with_debug_off(tmp_path):
    out = _settings_in_fresh_process({"CC_DATA_DIR": str(tmp_path)}).splitlines()
    assert out[1] == "False" and out[3] == "django.db.backends.sqlite3"
