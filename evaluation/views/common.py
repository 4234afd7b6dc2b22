"""What the evaluation pages share: the paging size, a refused move shown as
messages or put on a form's fields, and a page shown again with its failed form."""

from django.contrib import messages
from django.template.response import TemplateResponse

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


def list_page_again(request, view_class, **forms):
    """The list page of ``view_class`` again, status 400, with the forms that failed
    (a POST to the list that could not be saved)."""
    view = view_class()
    view.setup(request)
    view.object_list = view.get_queryset()
    context = view.get_context_data(**forms)
    return TemplateResponse(request, view.template_name, context, status=400)


def detail_page_again(request, view_class, pk, obj=None, **forms):
    """The detail page of ``view_class`` again, status 400, with the forms that
    failed; ``obj`` is the object when the caller has it read already."""
    view = view_class()
    view.setup(request, pk=pk)
    view.object = obj if obj is not None else view.get_object()
    context = view.get_context_data(object=view.object, **forms)
    return TemplateResponse(request, view.template_name, context, status=400)
