"""The one API object: /api/, with version 1 routers from each app."""

from conceptcloud.accounts.api import router as accounts_router
from conceptcloud.accounts.auth import AUTH_OPTIONAL
from conceptcloud.core.api import build_api
from conceptcloud.discovery.api import router as discovery_router
from conceptcloud.evaluation.api import router as evaluation_router
from conceptcloud.history.api import router as history_router
from conceptcloud.licensing.api import router as licensing_router
from conceptcloud.licensing.dashboard_api import router as licensing_dashboard_router
from conceptcloud.lineage.api import router as lineage_router
from conceptcloud.payouts.api import router as payouts_router
from conceptcloud.registry.api import router as registry_router
from conceptcloud.registry.log_api import router as log_router

api = build_api(auth=AUTH_OPTIONAL)
api.add_router("/v1/", accounts_router)
api.add_router("/v1/", registry_router)
api.add_router("/v1/", history_router)
api.add_router("/v1/", log_router)
api.add_router("/v1/", lineage_router)
api.add_router("/v1/", evaluation_router)
api.add_router("/v1/", discovery_router)
api.add_router("/v1/", licensing_router)
api.add_router("/v1/", licensing_dashboard_router)
api.add_router("/v1/", payouts_router)
