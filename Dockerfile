# Production image for web (gunicorn), Celery worker and beat; see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app

# Dependencies first, so code changes do not invalidate this layer. Every wheel is pinned by
# hash; psycopg's binary wheel bundles libpq, so no system packages are needed.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .

# Production settings refuse to load without a secret and hosts, so this one step gets throwaway
# values; nothing here connects to a database.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput

# The code stays root-owned and read-only to the process that serves it.
RUN useradd --system --no-create-home --uid 10001 --user-group parley \
    && mkdir -p /var/lib/parley/media && chown parley:parley /var/lib/parley/media \
    && chmod 700 /var/lib/parley/media
ENV MEDIA_ROOT=/var/lib/parley/media
USER parley

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind=0.0.0.0:8000", "--access-logfile=-"]
