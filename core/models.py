"""Import every model module so metadata (Alembic, tests) sees all tables."""

import accounts.models  # noqa: F401
import core.audit  # noqa: F401
import exports.models  # noqa: F401
import geo.models  # noqa: F401
import moderation.models  # noqa: F401
import reports.models  # noqa: F401
import toilets.models  # noqa: F401
from core.db import Base

metadata = Base.metadata
