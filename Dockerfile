# The OCOP app: one image for the web app (gunicorn), the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

# WeasyPrint draws PDFs with Pango; the fonts it uses ship in static/fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        libfontconfig1 shared-mime-info postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .
COPY . .
RUN DJANGO_DEBUG=false python manage.py collectstatic --noinput -v0

RUN useradd --create-home --uid 1000 ocop && mkdir -p /app/var/media \
    && chown -R ocop:ocop /app/var
USER ocop
EXPOSE 8000
CMD ["gunicorn", "ocop.wsgi", "-b", "0.0.0.0:8000", "-w", "3", "--timeout", "120"]
