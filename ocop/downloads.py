"""Files people download, always through a view that has checked who they are.

Nothing under ``MEDIA_ROOT`` is served by path: documents, evidence and uploaded
spreadsheets may name a producer's business, so each has a download view that finds
the row through the person's "what may I see" query and hands the file over here.
"""

from django.http import FileResponse, Http404


def file_response(request, field_file, *, filename, content_type=""):
    """The stored file as a download (inline with ``?inline=1``); 404 if it is gone."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=request.GET.get("inline") != "1",
        filename=filename,
        content_type=content_type or None,
    )
