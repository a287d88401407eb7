"""Locations of the shipped templates, HTTP sources and scripts."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
HTTP = ROOT / "http"
SCRIPTS = ROOT / "scripts"
HOOK = SCRIPTS / "admin-pass-hook"
