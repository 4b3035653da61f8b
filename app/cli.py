"""``samenkracht-app``: serve the students' page (app/page.py) with Solara on this computer.

The server runs in this process (``solara run`` replaces it), so stopping this
command, or ending its process, stops the page.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from samenkracht.app.export import OUTPUTS_ENV


def main(argv: list[str] | None = None) -> None:
    """Start the page on HOST:PORT and print its address."""
    parser = argparse.ArgumentParser(
        prog="samenkracht-app",
        description="The students' page: choose municipal actions, run the model, see the network and the effects.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only)"
    )
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    parser.add_argument(
        "--outputs",
        type=Path,
        default=None,
        help="folder the exported summaries are saved in (default: outputs/app in the current folder)",
    )
    parser.add_argument("--dev", action="store_true", help="reload the page when its code changes (for developers)")
    args = parser.parse_args(argv)

    if importlib.util.find_spec("solara") is None:
        sys.exit(
            "samenkracht-app: error: the page needs Solara. Install the app extra: "
            ".venv/bin/pip install -e '.[app]' (or: make test-browser, which installs it)."
        )
    env = os.environ
    env[OUTPUTS_ENV] = str((args.outputs or Path.cwd() / "outputs" / "app").resolve())
    # No usage statistics sent to Solara's makers.
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    # No English "This website runs on Solara" banner on a page that speaks the students' language.
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    # Matplotlib draws to PNG in memory: no display needed.
    env.setdefault("MPLBACKEND", "Agg")
    # The model's kernels compiled now, on every core (seconds when numba's cache already holds them), not one by
    # one at the first run the page makes.
    from samenkracht.tools.precompile import LOAD_HERE_ENV, precompile

    precompile()
    # The page's server then loads them into its own process when it starts (app/page.py), not at the first run.
    env[LOAD_HERE_ENV] = "1"
    host_shown = "localhost" if args.host in ("127.0.0.1", "localhost") else args.host
    print(f"samenkracht-app: open http://{host_shown}:{args.port}/ in a browser (Ctrl+C stops it)", flush=True)
    print(f"samenkracht-app: exported summaries are saved in {env[OUTPUTS_ENV]}", flush=True)
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "samenkracht.app.page",
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]
    if not args.dev:
        command.append("--production")
    os.execv(sys.executable, command)


if __name__ == "__main__":
    main()
