"""Lists each domain router of appraisal, served under /v1."""

from fastapi import APIRouter

from appraisal.awards.router import router as awards_router
from appraisal.canteen.router import router as canteen_router
from appraisal.catalogue.router import router as catalogue_router
from appraisal.complaints.router import router as complaints_router
from appraisal.conference.router import router as conference_router
from appraisal.feedback.router import router as feedback_router
from appraisal.guidance.router import router as guidance_router
from appraisal.hazards.router import router as hazards_router
from appraisal.inspections.router import router as inspections_router
from appraisal.invited.router import router as invited_router
from appraisal.publication.router import router as publication_router
from appraisal.publication.scores_router import router as scores_router
from appraisal.rectification.router import router as rectification_router
from appraisal.reports.router import router as reports_router
from appraisal.savings.router import router as savings_router
from appraisal.surveys.router import router as surveys_router

#: every domain router, each included by the app itself under ``API_PREFIX`` (see
#: :func:`houqin_common.app.create_service_app`: one level of routers, not a /v1 router around them)
API_PREFIX = "/v1"
ROUTERS: list[APIRouter] = [
    # first: the busiest reads (a complaint, a page of complaints). A request tries the routers in this
    # order, and each router before its own costs a match attempt (docs/operations.md, API overhead)
    complaints_router,
    catalogue_router,
    surveys_router,
    inspections_router,
    rectification_router,
    feedback_router,
    scores_router,
    publication_router,
    awards_router,
    reports_router,
    hazards_router,
    conference_router,
    # issue 27: the canteen, guidance and training, invited services, the savings ledger
    canteen_router,
    guidance_router,
    invited_router,
    savings_router,
]

OPENAPI_TAGS: list[dict[str, str]] = [
    {"name": "catalogue", "description": "Service items, versioned survey templates, vendor-project assignments"},
    {"name": "surveys", "description": "Half-yearly satisfaction campaigns (满意度测评), anonymous answers"},
    {"name": "inspections", "description": "Routine inspections from checklists; third-party food-safety inspections"},
    {"name": "rectification", "description": "Findings and rectification orders (整改) with evidence files"},
    {"name": "complaints", "description": "Complaints and suggestions routed to vendors"},
    {
        "name": "feedback",
        "description": "Public channel for visitors and companies (外来办事人员和企业): no account, rate-limited",
    },
    {"name": "scores", "description": "Vendor scores with their breakdown, ranking"},
    {"name": "reports", "description": "CSV, XLSX and chart downloads per year and per campaign"},
    {"name": "awards", "description": "Advanced / excellent units, bonus uplift, service stars"},
    {"name": "hazards", "description": "Hazard register (隐患台账): safety hazards from discovery to verified removal"},
    {"name": "conference", "description": "Conference centre (会议中心): rooms, bookings, service records, feedback"},
    {
        "name": "canteen",
        "description": "The canteen under mixed management (混合兼管): ingredient purchases, covers per price tier, "
        "monthly settlement (经营结算) signed off and corrected as versions",
    },
    {
        "name": "guidance",
        "description": "Regulations and service standards (制度), guidance plans and visits (工作指导), "
        "trainings (业务培训)",
    },
    {
        "name": "invited",
        "description": "Invited services and public-interest consultations (邀请服务): calendar, ratings",
    },
    {"name": "savings", "description": "The savings of outsourcing (节约经费): projects, shared platforms, energy"},
]
