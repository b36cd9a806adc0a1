"""The base of every wikis.yaml model: frozen, closed, and a 'did you mean' for unknown keys."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

from smoke.config.errors import FieldProblem, did_you_mean, one_of
from smoke.config.fields import CREDENTIALS_MESSAGE, SECRET_KEYS


class ClosedModel(BaseModel):
    """Frozen, closed models; unknown keys get a 'did you mean' instead of pydantic's message."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    secret_keys: ClassVar[frozenset[str]] = SECRET_KEYS

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = _field_names(cls)
            for key in data:
                if key in known:
                    continue
                fields = list(known)
                name = str(key)
                if name.lower() in cls.secret_keys:
                    raise FieldProblem(CREDENTIALS_MESSAGE, (name,))
                hint = did_you_mean(name, fields)
                raise FieldProblem(
                    f"unknown key {name!r}{hint}; valid keys: {one_of(fields)}", (name,)
                )
        return data


_FIELD_NAMES: dict[type[BaseModel], dict[str, None]] = {}


def _field_names(cls: type[BaseModel]) -> dict[str, None]:
    """The field names of a model class, in order; looked up once per class (a large target
    validates one model per wiki, and ``model_fields`` is slow to read)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = dict.fromkeys(cls.model_fields)
    return names
