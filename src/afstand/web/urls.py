from django.urls import path

from afstand.web import api, respondent, survey

urlpatterns = [
    path("api/v1/surveys/<slug:instrument>/responses", api.submit_response, name="api-submit"),
    path("api/v1/studies/<slug:study>/surveys/<slug:instrument>/responses", api.submit_response, name="api-submit-study"),
    path("s/<slug:instrument>", survey.survey, name="survey"),
    path("s/<slug:study>/<slug:instrument>", survey.survey, name="survey-study"),
    path("intrekken", respondent.withdraw, name="withdraw"),
    path("aanmelden/<slug:study>", respondent.signup, name="signup"),
]
