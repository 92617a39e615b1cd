"""All models, imported so ``Base.metadata`` knows every table."""

import db.models.citizen  # noqa: F401  (the citizen API tables)
import db.models.search  # noqa: F401, E402  (the case search's indexes on case and person)
from db.models.alarms import Alarm as Alarm
from db.models.analysis import AnalysisAlert as AnalysisAlert
from db.models.analysis import AnalysisAlertEvent as AnalysisAlertEvent
from db.models.analysis import AnalysisCursor as AnalysisCursor
from db.models.analysis_hourly import AnalysisHourly as AnalysisHourly
from db.models.analysis_snapshot import AnalysisSnapshot as AnalysisSnapshot
from db.models.audit import AuditEntry as AuditEntry
from db.models.base import Base
from db.models.basemap import BasemapFeature as BasemapFeature
from db.models.basemap import BasemapSource as BasemapSource
from db.models.campaign import Campaign as Campaign
from db.models.campaign import CampaignEvent as CampaignEvent
from db.models.case import Case, CaseEvent, Photo
from db.models.moderation import ModerationEntry as ModerationEntry
from db.models.notify import NotifyKey as NotifyKey
from db.models.notify import NotifyOutbox as NotifyOutbox
from db.models.notify import NotifyRoute as NotifyRoute
from db.models.partner import PartnerKey as PartnerKey
from db.models.people import Person, StaffUser
from db.models.public import BeautyPost, PointsClaim, PointsEntry, ServicePoint
from db.models.rate_limit import RateBucket as RateBucket
from db.models.recurrence import CaseRecurrence as CaseRecurrence
from db.models.reference import (
    Category,
    Department,
    District,
    DistrictPart,
    GridCell,
    Holiday,
    Responsibility,
)
from db.models.reference_history import CategoryRule as CategoryRule
from db.models.reference_history import DepartmentRule as DepartmentRule
from db.models.reference_history import HolidayRule as HolidayRule
from db.models.reference_history import ResponsibilityRule as ResponsibilityRule
from db.models.requests import CaseRequest as CaseRequest
from db.models.subscriptions import Subscription as Subscription

__all__ = [
    "Base",
    "BeautyPost",
    "Case",
    "CaseEvent",
    "Category",
    "Department",
    "District",
    "DistrictPart",
    "GridCell",
    "Holiday",
    "Person",
    "Photo",
    "PointsClaim",
    "PointsEntry",
    "Responsibility",
    "ServicePoint",
    "StaffUser",
]
from db.models.stats_rollup import StatsDaily as StatsDaily
