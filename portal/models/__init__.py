"""ORM models, one module per area. Importing this package registers every table."""

from portal.models.access_requests import AccessRequest
from portal.models.applications import Application, Attachment, DossierNote, Mentor, QueueTicket, Submission
from portal.models.audit import AuditEntry
from portal.models.budget import BudgetMovement, Reservation
from portal.models.calls import Call, CallCriterion, FundamentalRight, Theme, call_themes
from portal.models.eligibility import EligibilityResult
from portal.models.files import StoredFile, StoredFileChunk
from portal.models.matching import Match, MentorProfile, Need, Offer
from portal.models.meetings import CommitteeMeeting, MeetingDecision
from portal.models.notifications import Notification
from portal.models.organisations import Organisation, OrganisationKind
from portal.models.payouts import (
    ActualCost,
    BatchOutcome,
    FinalReport,
    PaymentBatch,
    PaymentBatchItem,
    Payout,
    ReportDocument,
    ReportState,
)
from portal.models.rescue import FormRescue
from portal.models.reviews import Review, ReviewScore
from portal.models.users import AccountToken, TokenPurpose, User, UserSession

__all__ = [
    "AccessRequest",
    "ActualCost",
    "BatchOutcome",
    "FinalReport",
    "PaymentBatch",
    "PaymentBatchItem",
    "Payout",
    "ReportDocument",
    "ReportState",
    "AccountToken",
    "Application",
    "Attachment",
    "DossierNote",
    "Mentor",
    "QueueTicket",
    "Reservation",
    "Review",
    "ReviewScore",
    "StoredFile",
    "StoredFileChunk",
    "Submission",
    "AuditEntry",
    "BudgetMovement",
    "Call",
    "CommitteeMeeting",
    "MeetingDecision",
    "CallCriterion",
    "EligibilityResult",
    "FormRescue",
    "Match",
    "MentorProfile",
    "Need",
    "Offer",
    "Notification",
    "FundamentalRight",
    "Organisation",
    "OrganisationKind",
    "Theme",
    "TokenPurpose",
    "User",
    "UserSession",
    "call_themes",
]
