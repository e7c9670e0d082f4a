"""Meta-data for LSB init scripts and systemd units: derived in the daemon's agent code."""

from __future__ import annotations

from daemon.executor.meta.services import (lsb_header, lsb_metadata, systemd_metadata,
                                           unit_description)

__all__ = ["lsb_header", "lsb_metadata", "systemd_metadata", "unit_description"]
