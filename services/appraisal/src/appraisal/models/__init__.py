"""All ORM models of appraisal (one package avoids import cycles between domains)."""

from appraisal.models.awards import AwardDecision, ServiceStar
from appraisal.models.base import Base
from appraisal.models.canteen import CanteenCovers, CanteenPurchase, CanteenSettlement
from appraisal.models.complaints import Complaint
from appraisal.models.conference import Booking, ConferenceRoom
from appraisal.models.guidance import GuidancePlan, GuidanceVisit, Regulation, Training, TrainingAttendance
from appraisal.models.hazards import Hazard, HazardAlarm
from appraisal.models.inspections import ChecklistTemplate, FoodSafetyInspection, RoutineInspection
from appraisal.models.invited import InvitedProvider, InvitedRating, InvitedSchedule, InvitedSession
from appraisal.models.publication import Publication
from appraisal.models.rectification import Evidence, Finding, RectificationOrder
from appraisal.models.savings import PlatformSaving, ProjectSaving
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
    "CanteenCovers",
    "CanteenPurchase",
    "CanteenSettlement",
    "ChecklistTemplate",
    "Complaint",
    "ConferenceRoom",
    "ConsumedToken",
    "Evidence",
    "Finding",
    "FoodSafetyInspection",
    "GuidancePlan",
    "GuidanceVisit",
    "Hazard",
    "HazardAlarm",
    "Invitation",
    "InvitedProvider",
    "InvitedRating",
    "InvitedSchedule",
    "InvitedSession",
    "PlatformSaving",
    "ProjectSaving",
    "Publication",
    "RectificationOrder",
    "Regulation",
    "Response",
    "RoutineInspection",
    "ServiceItem",
    "ServiceStar",
    "SurveyTemplate",
    "TemplateItem",
    "Training",
    "TrainingAttendance",
]
