"""The demo data is not part of the running app: creating the app never imports tracker_demo."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_app_does_not_import_the_demo():
    code = (
        "import sys\n"
        "from tracker import create_app\n"
        "from config import TestingConfig\n"
        "create_app(TestingConfig)\n"
        "import tracker.cli, tracker.services.progress\n"
        "print('tracker_demo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_demo_is_not_in_the_runtime_package():
    assert not (ROOT / "tracker" / "demo.py").exists()
    assert not (ROOT / "tracker" / "demo_county.py").exists()
    assert (ROOT / "tracker_demo" / "__init__.py").exists()
