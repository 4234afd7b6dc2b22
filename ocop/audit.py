"""Writing the audit log: one call per thing a person did to an object."""

from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry


def record(actor, action, obj, *, from_state="", to_state="", reason="", data=None):
    """Write one ``AuditEntry`` for ``actor`` doing ``action`` to ``obj``.

    ``action`` is namespaced (``registry.producer.created``); ``data`` keeps what the
    entry needs to be read back later, such as the fields changed and their old values.
    Call it inside the same transaction as the change it records.
    """
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if is_person else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj)
        if obj is not None
        else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )
