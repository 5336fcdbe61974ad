"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

from mobilite import create_app

app = create_app()
