"""Allow `python -m kp_extract`."""
from kp_extract.cli import app

if __name__ == "__main__":  # pragma: no cover
    app(prog_name="kp-extract")
