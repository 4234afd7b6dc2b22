"""What the evaluation pages share: the paging size, and a refused move shown as
messages or put on a form's fields."""

from django.contrib import messages

PAGE_SIZE = 50


def error_messages(error):
    """The Vietnamese sentences of a ``ValidationError``, field errors included."""
    if hasattr(error, "error_dict"):
        return [m for errors in error.message_dict.values() for m in errors]
    return list(error.messages)


def report_refusal(request, error):
    for message in error_messages(error):
        messages.error(request, message)


def apply_to_form(form, error):
    """Put a service's ``ValidationError`` on the form's fields where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
