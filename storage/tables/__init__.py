"""Tables added after the first schema, one module per part; imported at the end of storage.models.

Each module defines SQLModel table classes with the helpers of :mod:`storage.models`; its
migration is the one named in its docstring.
"""

import storage.tables.audit  # noqa: F401
import storage.tables.cluster  # noqa: F401
import storage.tables.helpdesk  # noqa: F401
import storage.tables.model_registry  # noqa: F401
import storage.tables.privacy  # noqa: F401
import storage.tables.replies  # noqa: F401
import storage.tables.throttle  # noqa: F401
