"""``kams check --deploy`` is clean with production settings (ARCHITECTURE §6)."""

import os
import subprocess
import sys


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "KAMS_DEBUG": "0",
        "KAMS_SECRET_KEY": "x7!Qm2#pLr9@vT4$wZ8^kN1&bC6*hJ3(dF5)gS0-yU2+eR7=aW4",
        "KAMS_ALLOWED_HOSTS": "kams.example.cn",
        "KAMS_VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests' event loop only
    result = subprocess.run(
        [sys.executable, "-m", "kams.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
