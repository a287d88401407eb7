"""Packer's ``null`` data source: ``output`` is the ``input`` string (for tests and wiring)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from builder.config import BaseConfig, opt
from builder.plugins import DataSource, DataSourceContext


@dataclass(kw_only=True)
class NullConfig(BaseConfig):
    input: str = opt(required=True, help="The string to hand back as output.")


class NullDataSource(DataSource[NullConfig]):
    Config = NullConfig
    outputs = ("output",)

    def execute(self, ctx: DataSourceContext) -> dict[str, Any]:
        return {"output": self.config.input}


__all__ = ["NullConfig", "NullDataSource"]
