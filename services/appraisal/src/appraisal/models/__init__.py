"""All ORM models of appraisal (one package avoids import cycles between domains)."""

from appraisal.models.awards import AwardDecision, ServiceStar
from appraisal.models.base import Base
from appraisal.models.complaints import Complaint
from appraisal.models.conference import Booking, ConferenceRoom
from appraisal.models.hazards import Hazard, HazardAlarm
from appraisal.models.inspections import ChecklistTemplate, FoodSafetyInspection, RoutineInspection
from appraisal.models.publication import Publication
from appraisal.models.rectification import Evidence, Finding, RectificationOrder
from appraisal.models.surveys import (
    Answer,
    Assignment,
    Campaign,
    ConsumedToken,
    Invitation,
    Response,
    ServiceItem,
    SurveyTemplate,
    TemplateItem,
)

__all__ = [
    "Answer",
    "Assignment",
    "AwardDecision",
    "Base",
    "Booking",
    "Campaign",
    "ChecklistTemplate",
    "Complaint",
    "ConferenceRoom",
    "ConsumedToken",
    "Evidence",
    "Finding",
    "FoodSafetyInspection",
    "Hazard",
    "HazardAlarm",
    "Invitation",
    "Publication",
    "RectificationOrder",
    "Response",
    "RoutineInspection",
    "ServiceItem",
    "ServiceStar",
    "SurveyTemplate",
    "TemplateItem",
]
