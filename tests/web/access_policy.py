"""Who may use each route: the portal's access policy, written down as data.

The decorators in portal/ (`@public`, `@signed_in`, `@roles(...)`) are what the app enforces; this table is what
it should enforce. The access matrix holds the two against each other and sends every role to every route with
the answer this table gives, so a decorator that loses or gains a role fails there instead of quietly becoming
the new rule. A new route needs its row here; change a row only when the policy itself changes.
"""

from __future__ import annotations

from portal.access import PUBLIC, SIGNED_IN
from workflows.roles import Role

POLICY: dict[str, str | frozenset[Role]] = {
    # The public site (calls, the offers by theme without names, the statements): read before anyone has an account.
    "public.accessibility": PUBLIC,
    "public.call_detail": PUBLIC,
    "public.home": PUBLIC,
    "public.offers": PUBLIC,
    "public.privacy": PUBLIC,
    "public.switch_language": PUBLIC,
    # Signing in and what comes before it (invitations, resets, the second step): no role is known yet.
    "auth.accept_invitation": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.two_step": PUBLIC,
    "auth.two_step_setup": PUBLIC,
    # Every user's own account and inbox, whatever the role: the views look up only the reader's own rows.
    "account.change_password": SIGNED_IN,
    "account.inbox": SIGNED_IN,
    "account.mark_all_read": SIGNED_IN,
    "account.mark_read": SIGNED_IN,
    "account.message": SIGNED_IN,
    "account.overview": SIGNED_IN,
    "account.save_language": SIGNED_IN,
    "account.two_step": SIGNED_IN,
    # Local governments: their drafts, dossiers, final reports, offers and needs (SPEC section 2). Staff never act
    # in a government's place, so no other role belongs here.
    "applicant.accept_offer": frozenset({Role.APPLICANT}),
    "applicant.attachments": frozenset({Role.APPLICANT}),
    "applicant.budget": frozenset({Role.APPLICANT}),
    "applicant.check": frozenset({Role.APPLICANT}),
    "applicant.confirm_participation": frozenset({Role.APPLICANT}),
    "applicant.confirmation": frozenset({Role.APPLICANT}),
    "applicant.dashboard": frozenset({Role.APPLICANT}),
    "applicant.decision_letter": frozenset({Role.APPLICANT}),
    "applicant.declare_end": frozenset({Role.APPLICANT}),
    "applicant.decline_participation": frozenset({Role.APPLICANT}),
    "applicant.download_attachment": frozenset({Role.APPLICANT}),
    "applicant.exchange": frozenset({Role.APPLICANT}),
    "applicant.match": frozenset({Role.APPLICANT}),
    "applicant.matching": frozenset({Role.APPLICANT}),
    "applicant.mentor": frozenset({Role.APPLICANT}),
    "applicant.mentors": frozenset({Role.APPLICANT}),
    "applicant.need": frozenset({Role.APPLICANT}),
    "applicant.offer": frozenset({Role.APPLICANT}),
    "applicant.overview": frozenset({Role.APPLICANT}),
    "applicant.parties": frozenset({Role.APPLICANT}),
    "applicant.receipt": frozenset({Role.APPLICANT}),
    "applicant.remove_mentor": frozenset({Role.APPLICANT}),
    "applicant.report": frozenset({Role.APPLICANT}),
    "applicant.report_cost": frozenset({Role.APPLICANT}),
    "applicant.report_document": frozenset({Role.APPLICANT}),
    "applicant.report_remove_document": frozenset({Role.APPLICANT}),
    "applicant.report_upload": frozenset({Role.APPLICANT}),
    "applicant.start": frozenset({Role.APPLICANT}),
    "applicant.start_from_match": frozenset({Role.APPLICANT}),
    "applicant.submit_report": frozenset({Role.APPLICANT}),
    "applicant.withdraw": frozenset({Role.APPLICANT}),
    "applicant.withdraw_need": frozenset({Role.APPLICANT}),
    "applicant.withdraw_offer": frozenset({Role.APPLICANT}),
    # The VVSG matcher: browsing offers and needs and proposing matches; governments answer on their own pages.
    "matcher.cancel_match": frozenset({Role.MATCHER}),
    "matcher.dashboard": frozenset({Role.MATCHER}),
    "matcher.match": frozenset({Role.MATCHER}),
    "matcher.need": frozenset({Role.MATCHER}),
    "matcher.needs": frozenset({Role.MATCHER}),
    "matcher.offers": frozenset({Role.MATCHER}),
    "matcher.propose": frozenset({Role.MATCHER}),
    # The selection committee: only reviewers read and score, so that scores come from the committee alone.
    "committee.dashboard": frozenset({Role.REVIEWER}),
    "committee.declare_conflict": frozenset({Role.REVIEWER}),
    "committee.download_attachment": frozenset({Role.REVIEWER}),
    "committee.review": frozenset({Role.REVIEWER}),
    "committee.score": frozenset({Role.REVIEWER}),
    # The administration's dossier handling. Finance shares the read-only overviews and exports it needs to pay,
    # and the money steps on a dossier's money trail: accepting or returning the final report, preparing a failed
    # payout again (the approval stays with another finance user, on the finance pages).
    "officer.assign_reviewers": frozenset({Role.OFFICER}),
    "officer.calls": frozenset({Role.OFFICER}),
    "officer.dashboard": frozenset({Role.OFFICER}),
    "officer.decide_many": frozenset({Role.OFFICER}),
    "officer.decide_result": frozenset({Role.OFFICER}),
    "officer.decision_letter": frozenset({Role.OFFICER}),
    "officer.decisions_page": frozenset({Role.OFFICER}),
    "officer.declare_eligible": frozenset({Role.OFFICER}),
    "officer.declare_ineligible": frozenset({Role.OFFICER}),
    "officer.deliveries": frozenset({Role.OFFICER}),
    "officer.dossier": frozenset({Role.OFFICER}),
    "officer.dossier_list": frozenset({Role.OFFICER, Role.FINANCE}),
    "officer.download_attachment": frozenset({Role.OFFICER}),
    "officer.edit_call": frozenset({Role.OFFICER}),
    "officer.export": frozenset({Role.OFFICER, Role.FINANCE}),
    "officer.exports_page": frozenset({Role.OFFICER, Role.FINANCE}),
    "officer.grant": frozenset({Role.OFFICER}),
    "officer.money_trail": frozenset({Role.OFFICER, Role.FINANCE}),
    "officer.new_call": frozenset({Role.OFFICER}),
    "officer.queue": frozenset({Role.OFFICER}),
    "officer.reject": frozenset({Role.OFFICER}),
    "officer.replan_payout": frozenset({Role.OFFICER, Role.FINANCE}),
    "officer.report_dashboard": frozenset({Role.OFFICER, Role.FINANCE}),
    "officer.report_document": frozenset({Role.OFFICER, Role.FINANCE}),
    "officer.request_correction": frozenset({Role.OFFICER}),
    "officer.resend": frozenset({Role.OFFICER}),
    "officer.return_report": frozenset({Role.OFFICER, Role.FINANCE}),
    "officer.settle_report": frozenset({Role.OFFICER, Role.FINANCE}),
    # Approving and paying is finance alone (the second pair of eyes). Officers read the payment files and download
    # the stored pain.001 (SPEC section 9: officers export the SEPA file), but never make one or record a payment.
    "finance.approve_payout": frozenset({Role.FINANCE}),
    "finance.batch": frozenset({Role.OFFICER, Role.FINANCE}),
    "finance.batches": frozenset({Role.OFFICER, Role.FINANCE}),
    "finance.create_batch": frozenset({Role.FINANCE}),
    "finance.dashboard": frozenset({Role.FINANCE}),
    "finance.download_batch": frozenset({Role.OFFICER, Role.FINANCE}),
    "finance.record_failed": frozenset({Role.FINANCE}),
    "finance.record_paid": frozenset({Role.FINANCE}),
    # Users, organisations and roles: the administrator alone, who in turn sees no dossier.
    "admin.edit_organisation": frozenset({Role.ADMIN}),
    "admin.edit_user": frozenset({Role.ADMIN}),
    "admin.invite_user": frozenset({Role.ADMIN}),
    "admin.organisations": frozenset({Role.ADMIN}),
    "admin.reinvite_user": frozenset({Role.ADMIN}),
    "admin.reset_two_step": frozenset({Role.ADMIN}),
    "admin.users": frozenset({Role.ADMIN}),
    # Operators' monitoring has no account: /metrics checks its own token and is a 404 without it.
    "ops.health": PUBLIC,
    "ops.metrics": PUBLIC,
}
