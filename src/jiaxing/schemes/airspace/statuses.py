"""The status words of the airspace scheme, defined once: the tables' CHECK constraints, the handlers, the
queries and the pure flight check all read them from here (the values are the stored strings)."""

from enum import StrEnum


class DeviceStatus(StrEnum):
    """信息登记 (三): an owner's submission awaits the registrar; a registrar's entry is registered at once."""

    SUBMITTED = "submitted"
    REGISTERED = "registered"


class FlightStatus(StrEnum):
    """An exempt flight: applied for, then approved or refused."""

    APPLIED = "applied"
    APPROVED = "approved"
    REFUSED = "refused"


class ViolationStatus(StrEnum):
    """A violation: recorded, handed over to the competent department, closed."""

    RECORDED = "recorded"
    HANDED_OVER = "handed_over"
    CLOSED = "closed"
