"""Settings per environment, overridable by MOBILITE_* variables."""

import subprocess
import sys
from datetime import timedelta

import pytest

from config import load_config


def test_environment_variables_override_settings(monkeypatch):
    monkeypatch.setenv("MOBILITE_SECRET_KEY", "from-env")
    monkeypatch.setenv("MOBILITE_LOGIN_MAX_FAILURES_PER_ACCOUNT", "9")
    monkeypatch.setenv("MOBILITE_HSTS", "false")
    monkeypatch.setenv("MOBILITE_REMEMBER_COOKIE_DURATION", "3600")
    settings = load_config("production")
    assert settings["SECRET_KEY"] == "from-env"
    assert settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"] == 9
    assert settings["HSTS"] is False
    assert settings["REMEMBER_COOKIE_DURATION"] == timedelta(hours=1)


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("MOBILITE_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="MOBILITE_SECRET_KEY"):
        load_config("production")


def test_bad_values_name_the_variable(monkeypatch):
    monkeypatch.setenv("MOBILITE_LOGIN_WINDOW_MINUTES", "soon")
    with pytest.raises(RuntimeError, match="MOBILITE_LOGIN_WINDOW_MINUTES"):
        load_config("development")


def test_unknown_environment_is_refused():
    with pytest.raises(RuntimeError, match="MOBILITE_ENV"):
        load_config("staging")


def test_building_an_app_leaves_the_garbage_collector_alone(tmp_path):
    """Only wsgi.py freezes what start-up built: a process that builds several apps (this suite) must not
    freeze the previous ones' garbage, whose open transactions then held locks for good. In a process of its
    own: an app built here would rebind the suite's database extension."""
    script = (
        "import gc\n"
        "from mobilite import create_app\n"
        "frozen = gc.get_freeze_count()\n"
        f"create_app('testing', {{'DATABASE_URL': 'sqlite:///{tmp_path}/app.db'}})\n"
        "print(gc.get_freeze_count() - frozen)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "0", done.stdout + done.stderr
