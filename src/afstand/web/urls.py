from django.urls import path

from afstand.web import api

urlpatterns = [
    path("api/v1/surveys/<slug:instrument>/responses", api.submit_response, name="api-submit"),
    path("api/v1/studies/<slug:study>/surveys/<slug:instrument>/responses", api.submit_response, name="api-submit-study"),
]
