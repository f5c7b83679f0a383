"""Every domain's tables in one metadata, for Alembic and for the app (a flush resolves foreign keys
across domains, e.g. to `districts`). It sits above the domains and `core`: nothing below imports it."""

import accounts.models  # noqa: F401
import core.audit  # noqa: F401
import core.rate_limit  # noqa: F401
import exports.models  # noqa: F401
import geo.models  # noqa: F401
import jobs.models  # noqa: F401
import missions.models  # noqa: F401
import moderation.models  # noqa: F401
import office.models  # noqa: F401
import reference.models  # noqa: F401
import reports.models  # noqa: F401
import toilets.models  # noqa: F401
from core.db import Base

metadata = Base.metadata
