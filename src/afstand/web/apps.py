from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "afstand.web"
    label = "afstand"
    verbose_name = "afstand"
    default_auto_field = "django.db.models.BigAutoField"
