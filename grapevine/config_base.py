"""The base of every config section: unknown keys are errors; names look alike."""

from pydantic import BaseModel, ConfigDict

#: Source and target names: lowercase letters, digits, '-', '_' and '.'.
NAME_RE = r"^[a-z0-9][a-z0-9_.-]*$"


class Strict(BaseModel):
    """Base for config sections: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
