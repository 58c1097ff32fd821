"""Django configuration: settings, URLs, WSGI and the gunicorn server."""
