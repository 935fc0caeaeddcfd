"""The refusal every use case raises: a module of its own, so that any service (notifications too) can
refuse without depending on the dossiers it may not touch."""


class NotAllowed(Exception):
    """The use case refuses in the current state (a transition the table does not allow, a row that
    changed meanwhile); a code on a subclass names why (portal/refusals.py says it to the user)."""


class Refused(NotAllowed):
    """A refusal that names why: `code` (a plain string or a StrEnum member, kept as its string) is what
    portal/refusals.py turns into a sentence."""

    def __init__(self, code: str) -> None:
        super().__init__(str(code))
        self.code = str(code)
