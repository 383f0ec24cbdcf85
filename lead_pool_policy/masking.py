# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Masking of contact details (pure functions, no database)."""


def mask_email(email):
    """``john.doe@example.com`` -> ``j***@example.com``."""
    if not email:
        return email
    local, at, domain = email.rpartition("@")
    if not at:
        return mask_text(email)
    return f"{local[:1]}***@{domain}"


def mask_phone(phone):
    """Keep the first three and last two characters, hide the other digits:
    ``+1 555 123 4567`` -> ``+1 *** *** **67``."""
    if not phone:
        return phone
    if len(phone) <= 5:
        return "*" * len(phone)
    middle = "".join("*" if char.isdigit() else char for char in phone[3:-2])
    return phone[:3] + middle + phone[-2:]


def mask_text(text):
    if not text:
        return text
    return text[:1] + "***"
