"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

from mobilite import create_app, freeze_start_up

app = create_app()
freeze_start_up()
